"""A synthetic county that passes every rule: households, people and the six department rosters.

Everything is drawn as whole numpy arrays (one draw per column, not a Python loop per household),
so a province-size ledger of 10^6 people takes seconds. The generator is deterministic for a seed
and never looks at the wall clock: the as-of date is a parameter.

The clean county is built to satisfy rules.md: IDs with real 陇县-area region codes and checksums
that agree with 性别 and 出生日期; relations consistent with age and sex; children in school at
the right grade; labour ability consistent with age and health; incomes that add up and sit above
the 监测线 unless the household is monitored; monitored households with risks, measures and dates
that match. Defects are planted afterwards (sample/plant.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..frame import TEXT
from ..gates.facts import NOT_IN_SCHOOL, school_year_reference
from ..identity import check_characters
from .tables import national_tables, with_national_columns

REGION_CODES = ("610327", "610328", "610329", "610330", "610323", "610324")
TOWNS = ("城关镇", "东风镇", "温水镇", "天成镇", "曹家湾镇", "固关镇", "东南镇", "河北镇", "新集川镇", "八渡镇",
         "杜阳镇", "娘娘庙镇")
VILLAGE_WORDS = ("东", "西", "南", "北", "前", "后", "新", "上", "下", "中", "王家", "李家", "张家", "刘家", "杨家",
                 "赵家", "马家", "高", "石", "柳")
VILLAGE_ENDINGS = ("庄村", "坪村", "沟村", "河村", "塬村", "湾村", "堡村", "川村")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何",
            "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹")
GIVEN = ("建", "国", "华", "明", "军", "平", "强", "文", "秀", "英", "兰", "芳", "丽", "红", "霞", "梅", "军", "伟",
         "磊", "洋", "勇", "艳", "娟", "静", "涛", "杰", "鹏", "婷", "敏", "燕", "海", "波", "宁", "春", "彦", "利")
WORK_PLACES = ("西安市", "宝鸡市", "陇县县城", "咸阳市", "银川市", "兰州市", "苏州市", "深圳市")
GRADES_BY_AGE = {6: "小学", 7: "小学", 8: "小学", 9: "小学", 10: "小学", 11: "小学", 12: "七年级", 13: "八年级",
                 14: "九年级", 15: "普通高中一年级", 16: "普通高中二年级", 17: "普通高中三年级"}
# 教体's 学段 and 年级 for a ledger 在校生状况.
SCHOOL_STAGE = {"小学": "小学", "七年级": "初中", "八年级": "初中", "九年级": "初中",
                "普通高中一年级": "高中", "普通高中二年级": "高中", "普通高中三年级": "高中"}
SCHOOL_GRADE = {"小学": "小学", "七年级": "七年级", "八年级": "八年级", "九年级": "九年级",
                "普通高中一年级": "高一", "普通高中二年级": "高二", "普通高中三年级": "高三"}
MONITORING_LINE = 6500.0
DISABILITY_KINDS = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")


@dataclass
class County:
    ledger: pd.DataFrame                 # canonical columns, one row per person, in ledger order
    rosters: dict[str, pd.DataFrame]     # 民政, 医保, 住建, 教体, 人社, 残联: canonical roster columns
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)   # 户信息, 已外出务工 … (sample/tables.py)


def generate_county(households: int, seed: int, as_of: date, monitoring_line: float = MONITORING_LINE) -> County:
    rng = np.random.default_rng(seed)
    homes = _households(rng, households, monitoring_line, as_of)
    people = _people(rng, homes, as_of)
    homes = _settle_welfare(homes, people)
    ledger = _ledger(homes, people)
    rosters = _rosters(rng, ledger, people)
    # The national columns and tables draw from their own generator: the rest of the county stays
    # what it was before they existed.
    national = np.random.default_rng(seed + 7)
    ages = people["age"].to_numpy()
    ledger = with_national_columns(national, ledger, ages)
    return County(ledger, rosters, national_tables(national, ledger, ages))


def _villages(rng: np.random.Generator, count: int) -> pd.DataFrame:
    towns = TOWNS[:max(3, min(len(TOWNS), count // 80 + 3))]
    rows = []
    for town_number, town in enumerate(towns):
        names = rng.choice(len(VILLAGE_WORDS) * len(VILLAGE_ENDINGS), size=int(rng.integers(3, 7)), replace=False)
        rows += [(town_number, town, VILLAGE_WORDS[n // len(VILLAGE_ENDINGS)] + VILLAGE_ENDINGS[n % len(VILLAGE_ENDINGS)])
                 for n in names]
    return pd.DataFrame(rows, columns=["town_number", "乡镇", "行政村"])


def _households(rng: np.random.Generator, count: int, line: float, as_of: date) -> pd.DataFrame:
    villages = _villages(rng, count)
    village = rng.integers(0, len(villages), count)
    homes = villages.iloc[village].reset_index(drop=True)
    homes["户编号"] = [f"{REGION_CODES[0]}{t:03d}{i:07d}" for t, i in zip(homes["town_number"], range(1, count + 1))]
    homes["size"] = rng.choice([1, 2, 3, 4, 5, 6], size=count, p=[0.10, 0.22, 0.24, 0.24, 0.13, 0.07])
    homes["head_age"] = rng.integers(30, 78, count)
    homes["poor"] = rng.random(count) < 0.7                    # 脱贫户 vs 普通农户
    monitored = rng.random(count) < 0.15
    homes["category"] = np.where(~monitored, "",
                                 np.where(homes["poor"], "脱贫不稳定户",
                                          np.where(rng.random(count) < 0.8, "边缘易致贫户", "突发严重困难户")))
    homes["dibao"] = monitored & (rng.random(count) < 0.25)    # a 低保 household
    homes["cleared"] = monitored & ~homes["dibao"] & (rng.random(count) < 0.45)
    months_before = np.where(homes["cleared"], rng.integers(8, 30, count), rng.integers(1, 30, count))
    month_start = pd.Timestamp(as_of).to_period("M").start_time
    identified = pd.Series(month_start - pd.to_timedelta(months_before * 30, "D"))
    homes["identified"] = identified.dt.to_period("M").dt.start_time
    clear_after = rng.integers(6, 8, count)
    cleared_on = homes["identified"] + pd.to_timedelta(clear_after * 31, "D")
    homes["cleared_on"] = cleared_on.where(cleared_on <= pd.Timestamp(as_of), pd.Timestamp(as_of))
    low = np.where(homes["cleared"], rng.uniform(1.05, 1.6, count), rng.uniform(0.6, 1.4, count))
    homes["per_capita_ratio"] = np.where(monitored, low, rng.uniform(1.6, 3.5, count))
    # Unique mobile numbers: i × a prime is a bijection modulo 10^9, so no two households share one.
    second = pd.Series(rng.integers(3, 10, count)).astype(str)
    homes["phone"] = "1" + second + pd.Series((np.arange(count) * 104729 + seed_offset(rng)) % 10**9).map("{:09d}".format)
    return homes


def seed_offset(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 10**9))


def _people(rng: np.random.Generator, homes: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Members by position in the household: 户主, 配偶, children (and a grandchild for older heads)."""
    home = np.repeat(np.arange(len(homes)), homes["size"].to_numpy())
    position = np.concatenate([np.arange(s) for s in homes["size"].to_numpy()]) if len(homes) else np.array([], int)
    n = len(home)
    h = homes.iloc[home].reset_index(drop=True)
    head_male = rng.random(len(homes)) < 0.85
    relation = np.select(
        [position == 0, position == 1, (position >= 4) & (h["head_age"] >= 62)],
        ["户主", "配偶", "grandchild"], default="child")
    child_gap = rng.integers(22, 36, n)
    age = np.select(
        [relation == "户主", relation == "配偶", relation == "grandchild"],
        [h["head_age"], np.clip(h["head_age"] + rng.integers(-4, 5, n), 20, 90), h["head_age"] - rng.integers(50, 60, n)],
        default=h["head_age"] - child_gap - (position - 2) * 2)
    age = np.maximum(age, rng.integers(0, 3, n))
    # A child must be at least 12 years younger than the head and a grandchild 24 (G2-006).
    age = np.where(relation == "child", np.minimum(age, h["head_age"] - 20), age)
    age = np.where(relation == "grandchild", np.minimum(age, h["head_age"] - 48), np.maximum(age, 0))
    male = np.select([relation == "户主", relation == "配偶"], [head_male[home], ~head_male[home]],
                     default=rng.random(n) < 0.5)
    relation = np.select(
        [relation == "child", relation == "grandchild", relation == "配偶"],
        [np.where(male, "之子", "之女"), np.where(male, "之孙子", "之孙女"), "配偶"], default=relation)
    born = _birth_dates(rng, age, as_of)
    people = pd.DataFrame({"home": home, "age": age, "male": male, "与户主关系": relation, "born": born})
    people["证件号码"] = _ids(rng, people)
    school_age = _school_age(born, as_of)
    people["在校生状况"] = pd.Series(school_age).map(GRADES_BY_AGE).fillna("")
    people.loc[school_age < 3, "在校生状况"] = "学龄前儿童"
    people.loc[(school_age >= 3) & (school_age < 6), "在校生状况"] = "学前教育"
    return people.assign(school_age=school_age, **_health_and_work(rng, people, school_age))


def _settle_welfare(homes: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Once the members are known: a household where nobody can work gets 低保 (应保尽保, G5-005;
    a lone elder gets 特困 instead, see _ledger), and households with 低保/特困/残疾 members or
    without labour are never marked 风险消除 (G4-005, G4-009)."""
    home = people["home"]
    no_labour = people["劳动技能"].isin(["丧失劳动力", "无劳动力"]).groupby(home).all().reindex(homes.index, fill_value=False)
    disabled = (people["健康状况"] == "残疾").groupby(home).any().reindex(homes.index, fill_value=False)
    lone_elder = (homes["size"] == 1) & no_labour
    homes = homes.copy()
    homes["dibao"] = homes["dibao"] | (no_labour & ~lone_elder)
    homes["tekun"] = lone_elder
    homes["cleared"] = homes["cleared"] & ~(homes["dibao"] | homes["tekun"] | disabled | no_labour)
    return homes


def _birth_dates(rng: np.random.Generator, age: np.ndarray, as_of: date) -> pd.Series:
    """A birthday `age` whole years before the as-of date (1–360 days before the anniversary)."""
    anniversary = pd.to_datetime(pd.DataFrame({"year": as_of.year - age, "month": as_of.month,
                                               "day": min(as_of.day, 28)}))   # no 29 February
    return anniversary - pd.to_timedelta(rng.integers(1, 360, len(age)), "D")


def _school_age(born: pd.Series, as_of: date) -> np.ndarray:
    on = school_year_reference(as_of)
    years = on.year - born.dt.year
    before = (born.dt.month > on.month) | ((born.dt.month == on.month) & (born.dt.day > on.day))
    return (years - before.astype(int)).to_numpy()


def _ids(rng: np.random.Generator, people: pd.DataFrame) -> pd.Series:
    region = pd.Series(rng.choice(REGION_CODES, len(people), p=[0.7, 0.06, 0.06, 0.06, 0.06, 0.06]), dtype=TEXT)
    sequence = rng.integers(0, 500, len(people)) * 2 + people["male"].to_numpy().astype(int)   # odd = male
    first17 = region + people["born"].dt.strftime("%Y%m%d").astype(TEXT) + pd.Series(sequence).map("{:03d}".format).astype(TEXT)
    ids = first17 + check_characters(first17)
    # Two people can draw the same 17 digits; give the later one the next free sequence number.
    clash = ids.duplicated()
    while clash.any():
        sequence[clash.to_numpy()] = (sequence[clash.to_numpy()] + 2) % 1000
        first17 = region + people["born"].dt.strftime("%Y%m%d").astype(TEXT) + pd.Series(sequence).map("{:03d}".format).astype(TEXT)
        ids = first17 + check_characters(first17)
        clash = ids.duplicated()
    return ids


def _health_and_work(rng: np.random.Generator, people: pd.DataFrame, school_age: np.ndarray) -> dict:
    n = len(people)
    age = people["age"].to_numpy()
    draw = rng.random(n)
    health = np.select([(age >= 55) & (draw < 0.25), (age >= 30) & (draw > 0.985)], ["长期慢性病", "残疾"], default="健康")
    in_school = pd.Series(school_age).map(GRADES_BY_AGE).notna().to_numpy()
    able = (age >= 16) & (age < 60) & ~in_school
    skilled = rng.random(n) < 0.2
    labour = np.select(
        [(age < 16) | in_school, able & (health == "健康") & skilled, able & (health == "健康"), able,
         (age >= 60) & (age < 75)],
        ["无劳动力", "技能劳动力", "普通劳动力", "弱劳动力或半劳动力", "弱劳动力或半劳动力"], default="丧失劳动力")
    works = np.isin(labour, ["普通劳动力", "技能劳动力"]) & (rng.random(n) < 0.6)
    education = np.select([age < 6, age < 13, age < 16, age < 19, age < 60], ["", "小学", "初中", "高中", "初中"],
                          default="小学")
    education = np.where(in_school & (age >= 6), np.where(age < 12, "小学", np.where(age < 15, "初中", "高中")), education)
    return {"健康状况": health, "劳动技能": labour, "works": works, "文化程度": education,
            "务工所在地": np.where(works, rng.choice(WORK_PLACES, n), ""),
            "务工时间（月）": np.where(works, rng.integers(6, 13, n), 0).astype(str)}


def _names(rng: np.random.Generator, homes: np.ndarray, relation: np.ndarray, surnames: np.ndarray) -> np.ndarray:
    own_surname = np.where(relation == "配偶", rng.choice(SURNAMES, len(homes)), surnames[homes])
    given = rng.choice(GIVEN, len(homes)).astype(object) + np.where(rng.random(len(homes)) < 0.7,
                                                                     rng.choice(GIVEN, len(homes)), "").astype(object)
    return own_surname.astype(object) + given


def _ledger(homes: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(len(people))
    h = homes.iloc[people["home"]].reset_index(drop=True)
    surnames = np.asarray(rng.choice(SURNAMES, len(homes)), dtype=object)
    names = _names(rng, people["home"].to_numpy(), people["与户主关系"].to_numpy(), surnames)
    head_names = pd.Series(names)[people["与户主关系"].to_numpy() == "户主"].to_numpy()
    monitored = h["category"] != ""
    dibao = h["dibao"].to_numpy()
    tekun = h["tekun"]
    income = _incomes(rng, homes)
    household_income = income.iloc[people["home"]].reset_index(drop=True)
    risks, measures = _risks_and_measures(people, h, dibao, tekun)
    frame = pd.DataFrame({
        "县": "陇县", "乡镇": h["乡镇"], "行政村": h["行政村"], "户编号": h["户编号"],
        "姓名": names, "证件类型": "居民身份证", "证件号码": people["证件号码"],
        "性别": np.where(people["male"], "男", "女"), "出生日期": people["born"].dt.strftime("%Y-%m-%d"),
        "民族": np.where(rng.random(len(people)) < 0.93, "汉族", "回族"), "与户主关系": people["与户主关系"],
        "户主姓名": head_names[people["home"]], "户类型": np.where(h["poor"], "脱贫户", "普通农户"),
        "监测对象类别": h["category"], "家庭人口数": h["size"].astype(str), "文化程度": people["文化程度"],
        "在校生状况": people["在校生状况"], "义务教育阶段未上学原因": "", "健康状况": people["健康状况"],
        "劳动技能": people["劳动技能"], "务工所在地": people["务工所在地"], "务工时间（月）": people["务工时间（月）"],
        "是否参加城乡居民基本医疗保险": "是", "是否参加城镇职工基本医疗保险": "否", "是否参加大病保险": "是",
        **_pensions(people),
        "是否享受农村居民最低生活保障": np.where(dibao, "是", "否"), "是否特困供养人员": np.where(tekun, "是", "否"),
        "是否危房户": "否", "是否解决安全饮用水": "是",
        **{column: household_income[column] for column in income.columns},
        "致贫/返贫风险": np.where(monitored, risks, ""),
        "识别监测时间": np.where(monitored, h["identified"].dt.strftime("%Y-%m-%d"), ""),
        "风险是否已消除": np.where(monitored, np.where(h["cleared"], "是", "否"), ""),
        "风险消除方式": np.where(h["cleared"], "帮扶消除", ""),
        "消除监测时间": np.where(h["cleared"], h["cleared_on"].dt.strftime("%Y-%m-%d"), ""),
        "帮扶责任人": np.where(monitored, pd.Series(surnames[(people["home"] * 7 + 3) % len(surnames)]) + "干部", ""),
        "帮扶责任人联系电话": np.where(monitored, "139" + h["town_number"].map("{:08d}".format), ""),
        "户联系电话": h["phone"], "帮扶措施": np.where(monitored, measures, ""), "人员状态": "正常",
    })
    return frame.astype(TEXT)


def _pensions(people: pd.DataFrame) -> dict[str, np.ndarray]:
    """Everyone 16 or older and not in school is in 城乡居民基本养老保险 (G2-021); nobody in both (G2-020)."""
    adult = (people["age"].to_numpy() >= 16) & people["在校生状况"].isin(NOT_IN_SCHOOL).to_numpy()
    return {"是否参加城乡居民基本养老保险": np.where(adult, "是", "否"), "是否参加城镇职工基本养老保险": "否"}


def _incomes(rng: np.random.Generator, homes: pd.DataFrame) -> pd.DataFrame:
    """Household incomes that add up exactly (G2-008, G2-009) around the 监测线."""
    size = homes["size"].to_numpy()
    net = np.round(homes["per_capita_ratio"].to_numpy() * MONITORING_LINE * size)
    expense = np.round(rng.uniform(0, 0.08, len(size)) * net)
    wage = np.round(net * rng.uniform(0.35, 0.6, len(size)))
    business = np.round(net * rng.uniform(0.1, 0.25, len(size)))
    property_income = np.round(net * rng.uniform(0, 0.05, len(size)))
    transfer = net + expense - wage - business - property_income
    per_capita = np.round(net / size, 2)
    money = lambda values: pd.Series(values).map("{:.0f}".format)  # noqa: E731
    return pd.DataFrame({
        "工资性收入": money(wage), "生产经营性收入": money(business), "财产性收入": money(property_income),
        "转移性收入": money(transfer), "生产经营性支出": money(expense), "纯收入（元）": money(net),
        "人均纯收入（元）": pd.Series(per_capita).map("{:.2f}".format), "合规自付支出": money(rng.integers(0, 3000, len(size))),
    })


def _risks_and_measures(people: pd.DataFrame, h: pd.DataFrame, dibao: np.ndarray, tekun: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Risks that the household's facts support (G2-018) and measures that answer them (G4-003,
    G4-004, G4-010)."""
    home = people["home"]
    sick = people["健康状况"].isin(["长期慢性病", "患有大病"]).groupby(home).transform("any").to_numpy()
    disabled = (people["健康状况"] == "残疾").groupby(home).transform("any").to_numpy()
    labourer = people["劳动技能"].isin(["普通劳动力", "技能劳动力", "弱劳动力或半劳动力"]).groupby(home).transform("any").to_numpy()
    risks = np.where(labourer, "因务工就业不稳", "其他")
    risks = np.where(sick, "因病、" + risks, risks)
    risks = np.where(disabled, "因残、" + risks, risks)
    measures = np.where(labourer, "就业帮扶", "社会帮扶")
    measures = np.where(sick | disabled, "健康帮扶、" + measures, measures)
    social = dibao | tekun.groupby(home).transform("any").to_numpy()
    measures = np.where(social, measures + "、综合保障", measures)
    return risks, measures


def _rosters(rng: np.random.Generator, ledger: pd.DataFrame, people: pd.DataFrame) -> dict[str, pd.DataFrame]:
    dibao = ledger["是否享受农村居民最低生活保障"] == "是"
    tekun = ledger["是否特困供养人员"] == "是"
    welfare = ledger[dibao | tekun]
    minzheng = pd.DataFrame({
        "姓名": welfare["姓名"], "证件号码": welfare["证件号码"],
        "救助类型": np.where(welfare["是否特困供养人员"] == "是", "特困供养", "农村低保"), "保障状态": "在保",
        "乡镇": welfare["乡镇"], "行政村": welfare["行政村"],
    })
    yibao = pd.DataFrame({"姓名": ledger["姓名"], "证件号码": ledger["证件号码"], "参保状态": "正常参保",
                          "险种": "城乡居民基本医疗保险", "参保年度": "2022"})
    heads = ledger[ledger["与户主关系"] == "户主"]
    rated = heads[rng.random(len(heads)) < 0.25]
    grade = rng.choice(["A级", "B级", "C级", "D级"], len(rated), p=[0.55, 0.35, 0.07, 0.03])
    zhujian = pd.DataFrame({"户主姓名": rated["姓名"], "户主证件号码": rated["证件号码"], "鉴定等级": grade,
                            "改造状态": np.where(np.isin(grade, ["C级", "D级"]), "已竣工", ""), "乡镇": rated["乡镇"]})
    students = ledger[ledger["在校生状况"].isin(list(SCHOOL_STAGE))]
    jiaoti = pd.DataFrame({"姓名": students["姓名"], "证件号码": students["证件号码"],
                           "学段": students["在校生状况"].map(SCHOOL_STAGE), "年级": students["在校生状况"].map(SCHOOL_GRADE),
                           "学籍状态": "在读", "学校名称": students["乡镇"] + "中心学校", "乡镇": students["乡镇"]})
    frames = {"民政": minzheng, "医保": yibao, "住建": zhujian, "教体": jiaoti, **_people_rosters(rng, ledger)}
    return {name: frame.reset_index(drop=True).astype(TEXT) for name, frame in frames.items()}


def _people_rosters(rng: np.random.Generator, ledger: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """人社 lists the pension-insured with their employment (务工 ⇒ 已就业); 残联 lists every 残疾
    person with a valid certificate whose number is the ID and two digits."""
    insured = ledger[ledger["是否参加城乡居民基本养老保险"] == "是"]
    working = insured["务工所在地"] != ""
    renshe = pd.DataFrame({"姓名": insured["姓名"], "证件号码": insured["证件号码"], "养老保险参保状态": "正常参保",
                           "险种": "城乡居民基本养老保险", "就业状态": np.where(working, "已就业", "未就业"),
                           "就业地区": insured["务工所在地"], "乡镇": insured["乡镇"]})
    disabled = ledger[ledger["健康状况"] == "残疾"]
    canlian = pd.DataFrame({"姓名": disabled["姓名"], "证件号码": disabled["证件号码"],
                            "残疾人证号": disabled["证件号码"] + pd.Series(rng.integers(1, 8, len(disabled)), index=disabled.index)
                            .astype(str) + "1",
                            "残疾类别": rng.choice(DISABILITY_KINDS, len(disabled)),
                            "残疾等级": rng.choice(["一级", "二级", "三级", "四级"], len(disabled)),
                            "持证状态": "有效", "乡镇": disabled["乡镇"]})
    return {"人社": renshe, "残联": canlian}
