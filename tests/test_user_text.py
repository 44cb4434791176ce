"""What a person reads is Chinese and cites policy documents by their titles: the rule catalogue
(`audit rules`) and every command's --help never name the spec's internal files ("seed 003",
"ledger.md") and hold no English sentence; help lines fit an 80-column terminal."""

import re

import pytest
from typer.testing import CliRunner

from ledger_audit.catalog import load_catalog
from ledger_audit_cli.display import display_width, wrap
from ledger_audit_cli.main import build_app

CATALOG = load_catalog()
TITLES = (  # the documents a basis may cite, as the policy sources name them
    "《榆林市2022年巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作要点》",
    "《中共隆德县委 隆德县人民政府关于实现巩固拓展脱贫攻坚成果同乡村振兴有效衔接的实施意见》",
    "《陕西省“十四五”巩固拓展脱贫攻坚成果同乡村振兴有效衔接规划》",
    "《陇县2022年巩固拓展脱贫攻坚成果推进乡村振兴工作要点》",
    "《交楼申乡2022年巩固拓展脱贫攻坚成果同乡村振兴有效衔接行动方案》",
    "《公民身份号码》", "《中华人民共和国行政区划代码》",
)
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?: +[A-Za-z]{2,}){2,}")  # three English words in a row
INTERNAL_NAMES = re.compile(r"seed|\.md\b|ledger|rosters|rules\.md", re.IGNORECASE)


COMMANDS = ("run", "check", "rules", "sample", "init", "template", "history")


def user_text_problems(text: str) -> list[str]:
    """Internal file names and English sentences in a text a user reads (option names such as
    --seed are the command's words, not sentences or document names)."""
    words = re.sub(r"--[a-z-]+", "", text)
    return INTERNAL_NAMES.findall(words) + ENGLISH_SENTENCE.findall(words)


def cli_output(*args: str) -> str:
    result = CliRunner().invoke(build_app(), list(args), env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_is_chinese_with_chinese_types_and_fits_80_columns(command):
    text = cli_output(*filter(None, [command]), "--help")
    assert user_text_problems(text) == [], text
    assert text.startswith("用法：") and "选项：" in text and "显示本帮助并退出。" in text
    assert not re.search(r"<[a-z]+(\[[A-Za-z]+\])?>|\[OPTIONS\]|default:|required", text), text
    too_wide = [line for line in text.splitlines() if display_width(line) > 80]
    assert too_wide == [], too_wide


def test_rule_explanation_is_chinese_and_wrapped():
    text = cli_output("rules", "G2-011")
    headings = [line for line in text.splitlines() if line.endswith("：") and not line.startswith(" ")]
    assert headings[:4] == ["检查什么：", "政策依据：", "示例（会被报告的一行）：", "会被报告的例子："]
    assert headings.index("不会报告的例子：") < headings.index("整改要求：")
    assert "《陇县2022年巩固拓展脱贫攻坚成果推进乡村振兴工作要点》" in text.replace("\n  ", "")
    assert user_text_problems(text) == [] and max(map(display_width, text.splitlines())) <= 80


def test_a_wrapped_line_neither_ends_with_an_opening_bracket_nor_starts_with_a_closing_one():
    text = "消除监测时间「（空）」，识别监测时间「2021-03-15」，户主「张建国」，务工时间（月）「12」。"
    for width in range(20, 70):   # wider than the widest group that must stay whole, 「2021-03-15」，
        lines = wrap(text, width)
        assert "".join(lines) == text and max(map(display_width, lines)) <= width, lines
        assert [line for line in lines if line[-1] in "「（"] == [], lines
        assert [line for line in lines[1:] if line[0] in "」）"] == [], lines


@pytest.mark.parametrize("rule_id", sorted(CATALOG.rules))
def test_every_rule_explains_itself_in_chinese_and_cites_documents_by_title(rule_id):
    spec = CATALOG.rules[rule_id]
    assert spec.what and spec.basis and spec.example, "检查什么、政策依据、示例 must all be there"
    for text in (spec.title, spec.what, spec.basis, spec.example, spec.remedy, spec.message):
        assert user_text_problems(text) == [], text
    assert all(title in TITLES for title in re.findall(r"《[^》]+》", spec.basis)), spec.basis


def test_a_basis_quotes_a_document_with_its_number_or_states_the_rule():
    cited = [s for s in CATALOG.rules.values() if "“" in s.basis]
    assert len(cited) >= 50
    assert all("《" in s.basis for s in cited), [s.rule_id for s in cited if "《" not in s.basis]
    assert "（交政发〔2022〕79号）" in CATALOG.rules["G4-009"].basis


def test_user_text_problems_are_found():
    assert user_text_problems("seed 003 第3条") and user_text_problems("见 ledger.md 字段表")
    assert user_text_problems("A required field is empty")
    assert user_text_problems("GB 11643-1999 第 4.2 条；用 --previous 给出，格式 xlsx,html") == []


@pytest.mark.parametrize("args", [("run", "--foo"), ("check",), ("check", "x", "--max-lines", "many"),
                                  ("runn",), ("check", "x", "--quarter"), ("rules", "G2-011", "extra")])
def test_usage_errors_of_the_option_parser_are_chinese_and_exit_2(args):
    result = CliRunner().invoke(build_app(), list(args))
    assert result.exit_code == 2
    assert result.output.startswith("用法错误：") and "--help 查看用法" in result.output
    assert user_text_problems(result.output) == [] and "Error" not in result.output, result.output
