; Inno Setup 6 script: the Windows installer for the frozen desk (dist\salon-desk from build.ps1).
; UNTESTED on the Linux build machines (no Windows Python, no Inno Setup there): see README.md beside this file.
; Unattended install for IT:   SalonDesk-Setup-X.Y.Z.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /ALLUSERS
;                                  [/LOG=C:\Temp\salon-desk-setup.log]
; Uninstall silently:           "C:\Program Files\Salon Desk\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES
; The user's data (%LOCALAPPDATA%\SalonDesk) is never removed by the uninstaller.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=0.1.0 salon-desk.iss (build.ps1 does)
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\salon-desk"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
AppId={{6C1E0F5A-3B7D-4C8E-9A2F-5D4B1E7C9A31}
AppName=Salon Desk
AppVersion={#AppVersion}
AppVerName=Salon Desk {#AppVersion}
AppPublisher=Salon Desk
DefaultDirName={autopf}\Salon Desk
DefaultGroupName=Salon Desk
DisableProgramGroupPage=yes
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=SalonDesk-Setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\salon-desk.exe
CloseApplications=yes
RestartApplications=no
; Authenticode: build.ps1 passes /Ssigntool=... when a certificate is configured, and signs the app's .exe
; files before this script packs them (SignTool=signtool below is then defined).
#ifdef SignTool
SignTool=signtool
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "arabic"; MessagesFile: "compiler:Languages\Arabic.isl"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Salon Desk"; Filename: "{app}\salon-desk.exe"
Name: "{autodesktop}\Salon Desk"; Filename: "{app}\salon-desk.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Run]
; Provisioning is not done by the installer (it runs as an administrator, not as the desk's user): IT deploys
; the provisioning file as README "For IT" says, and the desk enrols itself on its first start.
Filename: "{app}\salon-desk.exe"; Description: "{cm:LaunchProgram,Salon Desk}"; \
  Flags: nowait postinstall skipifsilent
