"""Small workbook builders shared by the tests."""

import xlsxwriter

HEADER = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "性别", "民族", "与户主关系", "户类型", "家庭人口数",
          "健康状况", "劳动技能", "是否参加城乡居民基本医疗保险", "人均纯收入（元）"]
ROW = ["城关镇", "东村", "H001", "张三", "61032719900101123X", "男", "汉族", "户主", "脱贫户", "1", "健康",
       "普通劳动力", "是", "8000"]


def write_xlsx(path, rows, formulas=()):
    """A one-sheet workbook (sheet 台账): floats as number cells, everything else as text."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("台账")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if isinstance(value, float):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, value)
    for r, c, formula, cached in formulas:
        sheet.write_formula(r, c, formula, None, cached)
    workbook.close()
