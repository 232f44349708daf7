// `npm run example`: starts app.js with the values `npm start` wrote (dist/local-tenant/app.env, or
// the file named as the first argument). A launcher rather than `node --env-file`, because Node
// reads NODE_EXTRA_CA_CERTS (the local tenant's CA) only from the environment it starts with.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const dotenv = require('dotenv');

const file = process.argv[2] ?? join(__dirname, '..', '..', 'dist', 'local-tenant', 'app.env');
if (!existsSync(file)) {
  console.error(`No ${file}: start the local tenant first (npm start), which writes it.`);
  process.exit(2);
}
const app = spawn(process.execPath, [join(__dirname, 'app.js')], {
  env: { ...process.env, ...dotenv.parse(readFileSync(file)) },
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
app.on('exit', (code) => process.exit(code ?? 1));
