"""Strings from the data stay text: escaped in the report's HTML, whatever a clerk typed."""

from civmon.evaluation import eldercare as ee
from civmon.evaluation.inputs import inputs_for
from civmon.params import parse_params
from civmon.report import eldercare as ec

from evaluation.eldercare_data import hand_data

HOSTILE = '西村<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_centre_name_with_markup_is_escaped_in_the_table_that_lists_it():
    data = hand_data()
    centres = data["care_centres"].copy()
    centres["centre_name"] = centres["centre_name"].astype(object)
    centres.loc[centres["centre_id"] == "B", "centre_name"] = HOSTILE
    data["care_centres"] = centres
    ev = ee.evaluate(inputs_for(parse_params({"period": "2023H1"}), "eldercare", data))
    html = ec.below_standard_table(ev).to_html()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
