# Builds the Windows desk and its installer on a Windows build machine (UNTESTED here: see README.md).
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Needs: Python 3.12 (x64) from python.org on PATH as `py -3.12`, Inno Setup 6 (ISCC.exe), and for signing
# the Windows SDK's signtool.exe. Secrets come from the environment, never from the repository:
#   SALON_RELEASE_SIGNING_KEY         base64 Ed25519 seed (minisign-format signatures, as on Linux)
#   SALON_AUTHENTICODE_PFX            path to the code-signing certificate (.pfx), optional
#   SALON_AUTHENTICODE_PASSWORD       its password
#   SALON_AUTHENTICODE_TIMESTAMP_URL  your CA's RFC 3161 timestamp server
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root
$Venv = Join-Path $Root "build\venv-win"
$Lock = Join-Path $Root "packaging\requirements-desk.lock"

Write-Host "== build environment from the lock file (hashes required)"
if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
py -3.12 -m venv $Venv
& "$Venv\Scripts\python.exe" -m pip install --require-hashes --no-deps -r $Lock
foreach ($server in "fastapi", "starlette", "uvicorn", "psycopg") {
  & "$Venv\Scripts\python.exe" -c "import importlib.util,sys; sys.exit(importlib.util.find_spec('$server') is not None)"
  if ($LASTEXITCODE -ne 0) { throw "the build environment has the server package $server" }
}

Write-Host "== translations and PyInstaller"
& "$Venv\Scripts\python.exe" -m salon_desk.l10n compile | Out-Null
$env:SALON_BUILD_ICON = Join-Path $PSScriptRoot "salon-desk.ico"
if (-not (Test-Path $env:SALON_BUILD_ICON)) { Remove-Item Env:\SALON_BUILD_ICON }
& "$Venv\Scripts\python.exe" -m PyInstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\salon-desk.spec
$Version = & "$Venv\Scripts\python.exe" -c "import salon_desk; print(salon_desk.__version__)"
& "$Venv\Scripts\python.exe" -c @"
import json, platform, subprocess, sys, hashlib, pathlib
commit = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True).stdout.strip() or 'unknown'
info = {'name': 'salon-desk', 'version': '$Version', 'commit': commit,
        'lock_sha256': hashlib.sha256(pathlib.Path(r'$Lock').read_bytes()).hexdigest(),
        'python': platform.python_version(), 'platform': 'win32-' + platform.machine().lower()}
pathlib.Path('dist/salon-desk/BUILD-INFO.json').write_text(json.dumps(info, indent=2) + '\n')
"@

$Sign = $env:SALON_AUTHENTICODE_PFX
if ($Sign) {
  Write-Host "== Authenticode (signtool)"
  $ts = $env:SALON_AUTHENTICODE_TIMESTAMP_URL
  foreach ($exe in "dist\salon-desk\salon-desk.exe", "dist\salon-desk\salon-desk-cli.exe") {
    signtool sign /fd SHA256 /f $Sign /p $env:SALON_AUTHENTICODE_PASSWORD /tr $ts /td SHA256 /d "Salon Desk" $exe
    signtool verify /pa $exe
  }
}

Write-Host "== signed manifest of the folder (salon-desk-verify checks installed copies)"
& "$Venv\Scripts\python.exe" -c @"
import sys; sys.path.insert(0, 'packaging'); sys.argv = ['release.py']
import importlib.util
spec = importlib.util.spec_from_file_location('release', 'packaging/release.py'); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
from pathlib import Path
m.sign_bundle(Path('dist/salon-desk'), m.signing_key())
"@

Write-Host "== installer (Inno Setup)"
$Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
$IsccArgs = @("/DAppVersion=$Version", "packaging\windows\salon-desk.iss")
if ($Sign) {
  $IsccArgs = @("/DSignTool", "/Ssigntool=signtool sign /fd SHA256 /f `"$Sign`" /p `"$env:SALON_AUTHENTICODE_PASSWORD`" /tr $env:SALON_AUTHENTICODE_TIMESTAMP_URL /td SHA256 `$f") + $IsccArgs
}
& $Iscc @IsccArgs
$Setup = "dist\SalonDesk-Setup-$Version.exe"
& "$Venv\Scripts\python.exe" packaging\release.py sign $Setup
Get-FileHash -Algorithm SHA256 $Setup | ForEach-Object { "$($_.Hash.ToLower())  SalonDesk-Setup-$Version.exe" } | Set-Content dist\SHA256SUMS-windows
& "$Venv\Scripts\python.exe" packaging\release.py sign dist\SHA256SUMS-windows
Write-Host "built $Setup"
