"""The sample ledger in the national monitoring system's own export form (`audit sample
--national-headers`): its real headers and value codes, as a county engine in production reads them.

What changes from the canonical columns: 乡 and 村 instead of 乡镇 and 行政村; 享受低保政策情况 /
享受特困供养政策情况 holding 农村低保 / 农村特困 / 未享受 / 不享受 instead of 是/否; the same field
twice (检测对象类别 beside 监测对象类别, 失学或辍学原因 beside 义务教育阶段未上学原因, 风险是否已消除0
beside 风险是否已消除); one column per 帮扶措施 category (公益岗位 as 公益性岗位帮扶); the risks in
致贫/返贫风险1 … 5; 出生日期 as YYYYMMDD and month dates as YYYYMM; and no 家庭人口数 column. Values
a defect planted (a day that does not exist, a code outside the list, a second column that differs)
are written as they are.
"""

from __future__ import annotations

import pandas as pd

from ..frame import TEXT

RENAMED = {"乡镇": "乡", "行政村": "村", "是否享受农村居民最低生活保障": "享受低保政策情况",
           "是否特困供养人员": "享受特困供养政策情况", "监测对象类别": "检测对象类别",
           "公益性岗位（月数）": "公益性岗位(月数)", "公益性岗位说明": "公益性岗位帮扶其他备注",
           "牧草地面积（亩）": "牧草地面积", "水面面积（亩）": "水面面积"}
POLICY_CODES = {"享受低保政策情况": {"是": "农村低保", "否": "未享受"},
                "享受特困供养政策情况": {"是": "农村特困", "否": "不享受"}}
# Second columns for one field, written after the whole row (the typo 检测对象类别 stands where the
# field's column would, 监测对象类别 comes last: the loader must still use the one named like the field).
TWINS = {"监测对象类别": "监测对象类别", "失学或辍学原因": "义务教育阶段未上学原因", "风险是否已消除0": "风险是否已消除"}
MEASURE_HEADERS = {"产业帮扶": "产业帮扶", "就业帮扶": "就业帮扶", "金融帮扶": "金融帮扶", "公益岗位帮扶": "公益性岗位帮扶",
                   "健康帮扶": "健康帮扶", "义务教育保障": "义务教育保障", "教育帮扶": "教育帮扶", "住房安全保障": "住房安全保障",
                   "饮水安全保障": "饮水安全保障", "综合保障": "综合保障", "社会帮扶": "社会帮扶", "搬迁": "搬迁",
                   "生产生活条件改善": "生产生活条件改善", "基础设施建设": "基础设施建设", "其他": "其他"}
RISK_COLUMNS = 5
ISO_DATE = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"
MONTH_START = r"^([0-9]{4})-([0-9]{2})-01$"


def national_form(ledger: pd.DataFrame) -> pd.DataFrame:
    """The canonical sample ledger with the national export's headers and codes (same rows)."""
    planted_twins = [twin for twin, field in TWINS.items() if twin != field and twin in ledger.columns]
    frame = ledger.drop(columns=["家庭人口数", "帮扶措施", "致贫/返贫风险", *planted_twins]).rename(columns=RENAMED)
    for column, codes in POLICY_CODES.items():
        frame[column] = frame[column].replace(codes)
    frame["出生日期"] = frame["出生日期"].str.replace(ISO_DATE, r"\1\2\3", regex=True)
    for column in ("识别监测时间", "消除监测时间"):
        frame[column] = frame[column].str.replace(MONTH_START, r"\1\2", regex=True) \
            .str.replace(ISO_DATE, r"\1\2\3", regex=True)
    measures = pd.DataFrame({header: _has(ledger["帮扶措施"], code).map({True: code, False: ""})
                             for code, header in MEASURE_HEADERS.items()})
    risks = ledger["致贫/返贫风险"].str.split("、", n=RISK_COLUMNS - 1, expand=True) \
        .reindex(columns=range(RISK_COLUMNS)).astype(TEXT).fillna("")
    risks.columns = [f"致贫/返贫风险{i + 1}" for i in range(RISK_COLUMNS)]
    twins = pd.DataFrame({twin: ledger[twin if twin in planted_twins else field] for twin, field in TWINS.items()})
    return pd.concat([frame, measures, risks, twins], axis=1).astype(TEXT)


def _has(measures: pd.Series, code: str) -> pd.Series:
    return ("、" + measures + "、").str.contains(f"、{code}、", regex=False)
