"""The runner's gate: built from the run's data folder, picklable, masked messages per report."""

import pickle
from types import SimpleNamespace

import pandas as pd

from civmon.data.pseudonymise import KEY_ENV, SAMPLE_KEY, hash_ids, id_checksum
from civmon.publish.gate_hook import gate_for_run, scanner_for

ID = "33050219850317201" + id_checksum("33050219850317201")


def data_folder(tmp_path, sample=True):
    d = tmp_path / "data"
    d.mkdir()
    pd.DataFrame({"household_id": ["H1"], "id_number": [ID], "name": ["张伟"]}).to_csv(
        d / "relief_members.csv", index=False)
    if sample:
        (d / "SYNTHETIC_SAMPLE").write_text("", encoding="utf-8")
    return d


def test_gate_from_params_catches_a_leaking_report_and_passes_a_clean_one(tmp_path):
    gate = gate_for_run(SimpleNamespace(data=str(data_folder(tmp_path))))
    gate = pickle.loads(pickle.dumps(gate))  # it travels to worker processes
    leak, clean = tmp_path / "leak.html", tmp_path / "clean.html"
    key = hash_ids(pd.Series([ID]), SAMPLE_KEY).iloc[0]
    leak.write_text(f"<pre>0  H1  {ID}  张伟</pre><p>{key}</p>", encoding="utf-8")
    clean.write_text("<table><tr><td>林红村</td><td>3,115</td></tr></table>", encoding="utf-8")
    messages = gate([leak])
    assert len(messages) == 3 and all(str(leak) in m for m in messages)
    assert any("张*" in m for m in messages) and any("330502********…" in m for m in messages)
    assert not any(ID in m or "张伟" in m or key in m for m in messages)
    assert gate([clean]) == []


def test_without_data_the_patterns_and_the_key_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "a-real-secret-key")
    s = scanner_for(None)
    assert s.secrets == ["a-real-secret-key"] and len(s.names) == 0
    assert gate_for_run(None).scanner.secrets == ["a-real-secret-key"]


def test_real_data_without_the_key_still_knows_the_names(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    s = scanner_for(data_folder(tmp_path, sample=False))
    assert len(s.names) == 1 and s.secrets == [] and s.pseudonyms == set()
