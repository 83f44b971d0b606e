// Builds testdata/layers/dotnet-basic: a published .NET 8 Lambda app's
// MyApp.deps.json. There is no NuGet registry here, so the file is written by
// hand in the shape `dotnet publish` emits
// (https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md).
// Package names, versions, asset paths and sha512 values are the real ones as
// they appear in public deps.json files: Newtonsoft.Json 13.0.3 from
// anchore/syft syft/pkg/cataloger/dotnet/testdata/deps-with-referenceassembly/MyApp.deps.json,
// the others from anchore/syft syft/pkg/cataloger/dotnet/test-fixtures/dir-example-1/TestLibrary.deps.json.
// The .dll files are placeholders (a few bytes), present only so the
// cataloger's ownership of published assemblies can be tested.
//
// Usage: node scripts/fixtures-dotnet.mjs
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const layer = join(root, 'testdata/layers/dotnet-basic');
const app = join(layer, 'dotnet/app');

const TFM = '.NETCoreApp,Version=v8.0';
const asm = (assemblyVersion, fileVersion) => ({ assemblyVersion, fileVersion });
const pkg = (sha512, key) => {
  const lower = key.toLowerCase();
  return {
    type: 'package',
    serviceable: true,
    sha512: `sha512-${sha512}`,
    path: lower,
    hashPath: `${lower.replace('/', '.')}.nupkg.sha512`,
  };
};

const deps = {
  runtimeTarget: { name: TFM, signature: '' },
  compilationOptions: {},
  targets: {
    [TFM]: {
      'MyApp/1.0.0': {
        dependencies: {
          'Newtonsoft.Json': '13.0.3',
          'Serilog.Sinks.Console': '4.0.1',
          'MyApp.Common': '1.0.0',
        },
        runtime: { 'MyApp.dll': {} },
      },
      'Newtonsoft.Json/13.0.3': {
        runtime: { 'lib/net6.0/Newtonsoft.Json.dll': asm('13.0.0.0', '13.0.3.27908') },
      },
      'Serilog/2.10.0': {
        runtime: { 'lib/netstandard2.1/Serilog.dll': asm('2.0.0.0', '2.10.0.0') },
      },
      'Serilog.Sinks.Console/4.0.1': {
        dependencies: { Serilog: '2.10.0' },
        runtime: { 'lib/net5.0/Serilog.Sinks.Console.dll': asm('4.0.1.0', '4.0.1.0') },
      },
      'AWSSDK.Core/3.7.10.6': {
        runtime: { 'lib/netcoreapp3.1/AWSSDK.Core.dll': asm('3.3.0.0', '3.7.10.6') },
      },
      'MyApp.Common/1.0.0': {
        dependencies: { 'AWSSDK.Core': '3.7.10.6' },
        runtime: { 'MyApp.Common.dll': {} },
      },
    },
  },
  libraries: {
    'MyApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'Newtonsoft.Json/13.0.3': pkg(
      'HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==',
      'Newtonsoft.Json/13.0.3'
    ),
    'Serilog/2.10.0': pkg(
      '+QX0hmf37a0/OZLxM3wL7V6/ADvC1XihXN4Kq/p6d8lCPfgkRdiuhbWlMaFjR9Av0dy5F0+MBeDmDdRZN/YwQA==',
      'Serilog/2.10.0'
    ),
    'Serilog.Sinks.Console/4.0.1': pkg(
      'apLOvSJQLlIbKlbx+Y2UDHSP05kJsV7mou+fvJoRGs/iR+jC22r8cuFVMjjfVxz/AD4B2UCltFhE1naRLXwKNw==',
      'Serilog.Sinks.Console/4.0.1'
    ),
    'AWSSDK.Core/3.7.10.6': pkg(
      'kHBB+QmosVaG6DpngXQ8OlLVVNMzltNITfsRr68Z90qO7dSqJ2EHNd8dtBU1u3AQQLqqFHOY0lfmbpexeH6Pew==',
      'AWSSDK.Core/3.7.10.6'
    ),
    'MyApp.Common/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    // A framework reference assembly: not shipped in the app, so not a package.
    'Microsoft.AspNetCore.DataProtection/8.0.0.0': {
      type: 'referenceassembly',
      serviceable: false,
      sha512: '',
    },
  },
};

rmSync(layer, { recursive: true, force: true });
mkdirSync(app, { recursive: true });
writeFileSync(join(app, 'MyApp.deps.json'), JSON.stringify(deps, null, 2) + '\n');
writeFileSync(
  join(app, 'MyApp.runtimeconfig.json'),
  JSON.stringify(
    {
      runtimeOptions: {
        tfm: 'net8.0',
        framework: { name: 'Microsoft.NETCore.App', version: '8.0.0' },
      },
    },
    null,
    2
  ) + '\n'
);
// Placeholders for published assemblies (Serilog.dll deliberately absent).
for (const f of [
  'MyApp.dll',
  'MyApp.Common.dll',
  'Newtonsoft.Json.dll',
  'Serilog.Sinks.Console.dll',
  'AWSSDK.Core.dll',
])
  writeFileSync(join(app, f), `placeholder for ${f}\n`);
console.log(`wrote ${layer}`);
