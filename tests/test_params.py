import pytest

from civmon.params import DEFAULT_PARAMS_FILE, ParamsError, RunParams, for_notebook, load_params


def write(tmp_path, text):
    p = tmp_path / "p.yaml"
    p.write_text(text, encoding="utf-8")
    return p


class TestLoadParams:
    def test_default_file_is_wuxing_2023h1_on_the_sample(self):
        p = load_params(DEFAULT_PARAMS_FILE)
        assert (p.district, p.period, p.scope, p.data) == ("吴兴区", "2023H1", "district", "sample")
        assert p.period_obj.end.isoformat() == "2023-06-30"

    def test_misspelled_key_names_key_file_line_and_suggestion(self, tmp_path):
        f = write(tmp_path, "district: 吴兴区\nperoid: 2023H1\n")
        with pytest.raises(ParamsError) as e:
            load_params(f)
        msg = str(e.value)
        assert f"{f}, line 2: unknown key 'peroid'. Did you mean 'period'?" in msg

    def test_bad_period_lists_accepted_forms(self, tmp_path):
        f = write(tmp_path, "period: 2023H3\n")
        with pytest.raises(ParamsError, match=r"line 1: 'period': '2023H3' is not a period\. Accepted forms: a year"):
            load_params(f)

    def test_wrong_type_names_field_and_expected_type(self, tmp_path):
        f = write(tmp_path, "period: 2023H1\ndisclosure_threshold: many\n")
        with pytest.raises(ParamsError, match=r"line 2: 'disclosure_threshold': .*valid integer.*\(expected int\)"):
            load_params(f)

    def test_all_problems_reported_at_once(self, tmp_path):
        f = write(tmp_path, "peroid: 2023H1\nformats: [html, docx]\n")
        msg = str(pytest.raises(ParamsError, load_params, f).value)
        assert "'peroid'" in msg and "'formats.1'" in msg and "line 2" in msg

    def test_year_given_as_a_number(self, tmp_path):
        assert load_params(write(tmp_path, "period: 2023\n")).period == "2023"

    def test_missing_file(self, tmp_path):
        with pytest.raises(ParamsError, match="no such params file"):
            load_params(tmp_path / "nope.yaml")

    def test_not_a_mapping(self, tmp_path):
        with pytest.raises(ParamsError, match="expected a mapping"):
            load_params(write(tmp_path, "- a\n- b\n"))


class TestNotebookParams:
    def test_run_all_without_injection_gives_the_default_file(self):
        assert for_notebook({}) == load_params(DEFAULT_PARAMS_FILE)

    def test_injected_values_are_validated(self):
        p = for_notebook({"period": "2022H2", "scope": "织里镇"})
        assert (p.period, p.scope) == ("2022H2", "织里镇")
        with pytest.raises(ParamsError, match="unknown key 'perod'"):
            for_notebook({"perod": "2022H2"})

    def test_model_is_frozen_and_rejects_extras(self):
        with pytest.raises(Exception):
            RunParams(colour="red")


class TestTargets:
    def test_known_indicator_ids_are_accepted(self):
        p = RunParams(targets={"lowincome_households": 3000, "meal_service_coverage": 90})
        assert p.targets["meal_service_coverage"] == 90

    def test_unknown_indicator_id_is_a_params_error_with_suggestion(self, tmp_path):
        f = write(tmp_path, "targets:\n  lowincome_housholds: 3000\n")
        with pytest.raises(ParamsError) as e:
            load_params(f)
        msg = str(e.value)
        assert "line 2" in msg and "unknown indicator id 'lowincome_housholds'" in msg
        assert "did you mean 'lowincome_households'?" in msg
