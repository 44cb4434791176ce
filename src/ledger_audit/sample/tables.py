"""The sample county's national-export columns and its four other national tables (tables.toml):
户信息, 已外出务工, 计划外出务工 and 行政村信息, all consistent with the clean ledger.

What the clean county is, so that no rule fires on it: every 脱贫户 and 监测户 has electricity, a
usable toilet and a hardened road; land areas are modest; a 公益岗位 is held for some months by a
member able to work, with its description; whoever has 务工时间 is in 已外出务工 (已务工, with a 就业渠道),
every other 普通/技能劳动力 of working age without a post plans to work (计划外出务工); a village's own
counts are the ledger's plus the households the ledger does not hold (普通农户 outside it).
Everything is drawn as whole columns, as in county.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..frame import TEXT

CHANNELS = ("有组织劳务输出", "自主外出务工", "就地就近就业", "帮扶车间")
POSTS = ("保洁员", "护林员", "护路员", "水管员", "村级公益性岗位")
LAND = ("耕地面积（亩）", "林地面积（亩）", "林果面积（亩）", "牧草地面积（亩）", "水面面积（亩）")
AFTER_CLEARING = ("风险消除后是否住房损毁", "风险消除后是否饮水设施损毁", "风险消除后是否义务教育阶段适龄儿童少年失学辍学")
LIVING = ("是否通生活用电", "入户道路是否硬化", "是否有卫生厕所")
LABOURERS = ("普通劳动力", "技能劳动力")
HOUSEHOLD_TABLE_COLUMNS = ("县", "乡镇", "行政村", "户编号", "姓名", "证件号码", "户类型", *LIVING, "住房面积")
# The national system's own headers of these tables (national-exports.md §2–5).
NATIONAL_HEADERS = {"县": "县(市、区、旗)", "乡镇": "乡(镇)", "是否有卫生厕所": "卫生厕所是否能正常使用"}
VILLAGE_HEADERS = {"乡镇": "乡", "行政村": "村"}


def with_national_columns(rng: np.random.Generator, ledger: pd.DataFrame, ages: np.ndarray) -> pd.DataFrame:
    """The ledger with the national export's 公益岗位, land, living-condition, 风险消除后 and 医疗救助
    columns (a household's values on every member row)."""
    frame = ledger.copy()
    household = pd.factorize(frame["户编号"])[0]
    households = household.max(initial=-1) + 1
    land = {column: np.round(rng.uniform(0, limit, households), 1)[household]
            for column, limit in zip(LAND, (15, 30, 5, 10, 2))}
    empty_land = (rng.random((households, len(LAND))) < 0.4)[household]
    for i, column in enumerate(LAND):
        frame[column] = np.where(empty_land[:, i], "", pd.Series(land[column]).map("{:g}".format))
    frame["住房面积"] = pd.Series(rng.integers(40, 160, households)[household]).astype(str).to_numpy()
    for column in LIVING:
        frame[column] = "是"
    cleared = (frame["风险是否已消除"] == "是").to_numpy()
    for column in AFTER_CLEARING:
        frame[column] = np.where(cleared, "否", "")
    frame["是否接受医疗救助"] = "否"
    return _public_posts(rng, frame, ages, household)


def _public_posts(rng: np.random.Generator, frame: pd.DataFrame, ages: np.ndarray, household: np.ndarray) -> pd.DataFrame:
    """A 公益岗位 for the first labourer of working age, not working, of about a third of the monitored
    households that have one: months and a description on that person, 公益岗位帮扶 in the measures."""
    idle = frame["劳动技能"].isin(LABOURERS).to_numpy() & (ages >= 18) & (ages <= 59) \
        & (frame["务工时间（月）"] == "0").to_numpy() & (frame["监测对象类别"] != "").to_numpy()
    candidates = pd.Series(np.flatnonzero(idle)).groupby(household[idle]).first()
    chosen = candidates[rng.random(len(candidates)) < 0.35].to_numpy()
    months = np.zeros(len(frame), dtype=int)
    months[chosen] = rng.integers(6, 13, len(chosen))
    frame["公益性岗位（月数）"] = np.where(months > 0, months.astype(str), "")
    frame["公益性岗位说明"] = np.where(months > 0, rng.choice(POSTS, len(frame)), "")
    posted = np.isin(household, household[chosen])
    frame["帮扶措施"] = frame["帮扶措施"].where(~posted, frame["帮扶措施"] + "、公益岗位帮扶")
    return frame.astype(TEXT)


def national_tables(rng: np.random.Generator, ledger: pd.DataFrame, ages: np.ndarray) -> dict[str, pd.DataFrame]:
    """户信息, 已外出务工, 计划外出务工 and 行政村 for the ledger (canonical columns)."""
    return {"户信息": ledger[list(HOUSEHOLD_TABLE_COLUMNS)].reset_index(drop=True),
            **_employment(rng, ledger, ages), "行政村": _villages(rng, ledger)}


def _employment(rng: np.random.Generator, ledger: pd.DataFrame, ages: np.ndarray) -> dict[str, pd.DataFrame]:
    """已外出务工: one row per month monitored (one or two) for whoever has 务工时间; 计划外出务工: every
    other labourer of working age, not in school and without a post."""
    keys = ["县", "乡镇", "行政村", "户编号", "姓名", "证件号码"]
    months = pd.to_numeric(ledger["务工时间（月）"], errors="coerce").fillna(0).to_numpy()
    workers = ledger[months > 0]
    repeats = rng.integers(1, 3, len(workers))
    working = workers.loc[workers.index.repeat(repeats), keys].reset_index(drop=True)
    working["是否已务工"] = "是"
    working["就业渠道"] = rng.choice(CHANNELS, len(working))
    working["务工所在县"] = workers["务工所在地"].repeat(repeats).to_numpy()
    working["务工月收入"] = rng.integers(2500, 6500, len(working)).astype(str)
    working["就业服务需求"] = ""
    post = pd.to_numeric(ledger.get("公益性岗位（月数）", pd.Series("", index=ledger.index)), errors="coerce").fillna(0).to_numpy()
    in_school = ~ledger["在校生状况"].isin(["", "学龄前儿童", "学前教育"]).to_numpy()
    idle = ledger["劳动技能"].isin(LABOURERS).to_numpy() & (ages >= 16) & (ages <= 59) & ~in_school & (months == 0) & (post == 0)
    planning = ledger.loc[idle, keys].reset_index(drop=True)
    planning["是否计划务工"] = "是"
    planning["计划务工所在县"] = rng.choice(("西安市", "宝鸡市", "陇县县城"), len(planning))
    planning["就业服务需求"] = rng.choice(("职业介绍", "技能培训", ""), len(planning))
    return {"已外出务工": working.astype(TEXT), "计划外出务工": planning.astype(TEXT)}


def _villages(rng: np.random.Generator, ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per village: the ledger's counts plus the village's households outside the ledger."""
    rows = ledger.assign(
        低保=ledger["是否享受农村居民最低生活保障"] == "是", 特困=ledger["是否特困供养人员"] == "是",
        残疾=ledger["健康状况"] == "残疾", 危房=ledger["是否危房户"] == "是")
    by_village = rows.groupby(["县", "乡镇", "行政村"], sort=False)
    counts = pd.DataFrame({
        "总户数": by_village["户编号"].nunique(), "总人口数": by_village.size(),
        "低保户数": rows[rows["低保"]].groupby(["县", "乡镇", "行政村"])["户编号"].nunique(),
        "低保人口数": by_village["低保"].sum(), "特困供养人口数": by_village["特困"].sum(),
        "残疾人口数": by_village["残疾"].sum(),
        "危房户数": rows[rows["危房"]].groupby(["县", "乡镇", "行政村"])["户编号"].nunique(),
    }).fillna(0).astype(int)
    outside = rng.integers(40, 260, len(counts))
    counts["总户数"] += outside
    counts["总人口数"] += outside * 3 + rng.integers(0, 40, len(counts))
    outside_dibao = rng.integers(0, 4, len(counts))
    counts["低保户数"] += outside_dibao
    counts["低保人口数"] += outside_dibao * 2
    counts["残疾人口数"] += rng.integers(0, 6, len(counts))
    villages = counts.astype(str).reset_index()
    villages.insert(3, "是否出列", np.where(rng.random(len(villages)) < 0.3, "是", "否"))
    return villages.astype(TEXT)


def in_national_headers(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """A table with the headers the national system writes (县(市、区、旗), 乡(镇); 乡, 村 for 行政村)."""
    headers = {"县": "县(市、区、旗)", **VILLAGE_HEADERS} if name == "行政村" else NATIONAL_HEADERS
    return table.rename(columns=headers)
