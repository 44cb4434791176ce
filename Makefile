# Two commands set everything up on a fresh machine with only Python 3.10+: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := sample_data


.PHONY: run test bench bench-province sample clean wheelhouse

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dask]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/audit run $(SAMPLE)/台账_示例县.xlsx \
		--roster 民政=$(SAMPLE)/民政_低保特困名单.xlsx --roster 医保=$(SAMPLE)/医保_参保名单.xlsx \
		--roster 住建=$(SAMPLE)/住建_农房鉴定名单.xlsx --roster 教体=$(SAMPLE)/教体_学籍名单.xlsx \
		--roster 人社=$(SAMPLE)/人社_就业参保名单.xlsx --roster 残联=$(SAMPLE)/残联_持证残疾人名单.xlsx \
		--table 户信息=$(SAMPLE)/全国系统_户信息.xlsx --table 已外出务工=$(SAMPLE)/全国系统_已外出务工信息.xlsx \
		--table 计划外出务工=$(SAMPLE)/全国系统_计划外出务工信息.xlsx --table 行政村=$(SAMPLE)/全国系统_行政村信息.xlsx \
		--quarter 2022Q2 --fail-on never

# One pytest worker per core; a test file stays on one worker, so its module fixtures are built once.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

bench-province: $(STAMP)
	$(BIN)/python -m benchmarks.province

sample: $(STAMP)
	$(BIN)/audit sample --out $(SAMPLE) --households 300 --seed 2022

# dist/ledger-audit-offline-<version>/: wheels for Windows and Linux x86-64, CPython 3.10-3.12, install scripts
wheelhouse: $(STAMP)
	$(BIN)/python offline/build_wheelhouse.py

clean:
	rm -rf $(VENV) audit-out .pytest_cache
