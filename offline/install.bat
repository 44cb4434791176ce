@echo off
rem Install ledger-audit without internet: a virtual environment beside this script, packages from wheels\.
cd /d "%~dp0"
py -m venv .venv || exit /b 1
.venv\Scripts\python.exe -m pip install --no-index --find-links wheels ledger-audit || exit /b 1
echo 已安装。运行：%~dp0.venv\Scripts\audit.exe --help
