import nbformat
import papermill as pm
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

DEMO_CELLS = [
    new_markdown_cell("# 演示报告", metadata={"tags": ["civmon-setup"]}),
    new_code_cell("run_params = {}", metadata={"tags": ["parameters"]}),
    new_code_cell(
        "from IPython.display import display\n"
        "from civmon.report.export import REPORT_MIME\n"
        "display({REPORT_MIME: {'title': '演示监测报告', 'scope_label': '吴兴区', 'period_label': '2023年上半年',\n"
        "         'period_range': '2023年01月01日至2023年06月30日', 'synthetic': True}, 'text/plain': 'info'}, raw=True)\n"
        "print('SECRET-SOURCE-CODE-MARKER')",
        metadata={"tags": ["civmon-setup"]}),
    new_markdown_cell("## 一、主要指标\n\n本节列出主要指标。"),
    new_code_cell(
        "import pandas as pd\nimport civmon.report as cr\n"
        "df = pd.DataFrame({'乡镇街道': [f'第{i}号乡镇' for i in range(120)], '户数': range(1000, 1120), '金额（万元）': [i * 1.25 for i in range(120)]})\n"
        "cr.table(df, caption='长表格跨页测试', key='long', notes=['注：演示数据。'])"),
    new_code_cell("from civmon.report.captions import see\ncr.Text([f'各乡镇明细见{see(\"表\", \"long\")}，趋势见{see(\"图\", \"trend\")}。'])"),
    new_markdown_cell("## 二、图表\n\n### 2.1 月度趋势"),
    new_code_cell(
        "from civmon import plots\n"
        "d = pd.DataFrame({'月份': pd.date_range('2022-01-01', periods=18, freq='MS').repeat(2), '类别': ['低保', '低保边缘'] * 18, '户数': range(36)})\n"
        "plots.line_chart(d, '月份', '户数', '类别', caption='低收入对象户数（按类别）', ylabel='户数（户）', source='演示数据', key='trend')"),
    new_code_cell("import sys; print('warning text', file=sys.stderr)"),
]


def demo_notebook(path):
    nb = new_notebook(cells=DEMO_CELLS)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="session")
def executed_demo(tmp_path_factory):
    """A small report-like notebook executed by papermill (real kernel)."""
    d = tmp_path_factory.mktemp("demo")
    src = demo_notebook(d / "demo.ipynb")
    out = d / "executed.ipynb"
    pm.execute_notebook(str(src), str(out), parameters={"run_params": {"period": "2023H1"}}, progress_bar=False)
    return out

