; Inno Setup 6.3+ script: a per-user installer for Callaro Desktop (no administrator rights).
;
;   python packaging\build.py            builds dist\callaro-desktop\, then runs this script
;                                        with iscc when Inno Setup is on PATH, or by hand:
;   iscc /DAppVersion=0.1.0 packaging\windows\callaro-desktop.iss
;
; Output: dist\callaro-desktop-<version>-windows-x64-setup.exe. It installs into
; %LOCALAPPDATA%\Programs\Callaro Desktop, adds a Start-menu entry (and, if ticked, a desktop
; shortcut) and registers an uninstaller under Settings > Apps for this user only.
; Uninstalling removes the program; settings, logs and sign-ins saved in Windows Credential
; Manager stay, as users expect when reinstalling.
;
; Paths are relative to this file. tests/packaging checks that the default AppVersion below is
; callaro_desktop.__version__ and that the file and executable names match the build.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Callaro Desktop"
#define AppExe "callaro-desktop.exe"

[Setup]
; The AppId identifies the product to Windows across versions: upgrades replace it and the
; uninstaller finds it. Never change it.
AppId={{48469F3E-361F-4DF2-AC47-FBEBB9AC0196}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Callaro
AppPublisherURL=https://callaro.ai
AppSupportURL=https://callaro.ai
; Per-user: no UAC prompt, {autopf} is %LOCALAPPDATA%\Programs, shortcuts go to the user's
; Start menu, the uninstaller is registered under HKCU.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
SetupIconFile=callaro-desktop.ico
OutputDir=..\..\dist
OutputBaseFilename=callaro-desktop-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Qt 6 needs 64-bit Windows 10 or later.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; Ask a running Callaro Desktop to close before its files are replaced.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; A new version's libraries replace the old ones wholesale: no stale DLLs from a previous build.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\..\dist\callaro-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Administer Callaro workspaces"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
