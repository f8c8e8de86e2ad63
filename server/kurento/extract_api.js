// Regenerates server/kurento/api_table_data.cpp from kurento-client-{core,elements,filters} 7.3.0 (npm, --ignore-scripts):
//   node extract_api.js > api.json, then wrap api.json as in api_table_data.cpp.
// Extracts the Kurento API surface (types, hierarchy, constructor params, operations, properties, events)
// from the kurento-client-{core,elements,filters} 7.3.0 packages into compact JSON.
const fs = require('fs');
const path = require('path');
require('kurento-client');
const mods = ['core', 'elements', 'filters'];
const out = { modules: [], types: [] };
const seen = new Set();
function parseMethods(file) {
  const src = fs.readFileSync(file, 'utf8');
  const res = [];
  const re = /\n(\w+)\.prototype\.(\w+) = function\(([^)]*)\)\{([\s\S]*?)\n\};/g;
  let m;
  while ((m = re.exec(src))) {
    const [, cls, fname, args, body] = m;
    const inv = /_invoke\(transaction, '(\w+)'/.exec(body);
    if (!inv) continue;
    const params = [];
    const ct = /\/\/ checkType\('([^']+)', '(\w+)', \w+(, \{required: true\})?\);/g;
    let c;
    while ((c = ct.exec(body))) params.push({ name: c[2], type: c[1], required: !!c[3] });
    // read ops (no params besides callback) whose name starts with get/is are properties
    res.push({ name: inv[1], params });
  }
  const cre = /@callback \S+~(\w+)Callback\n([\s\S]*?)\*\//g;
  while ((m = cre.exec(src))) {
    const r = /@param \{([^}]+)\} result/.exec(m[2]);
    const op = res.find(o => o.name === m[1]);
    if (op && r) op.returns = r[1].replace(/^external:/, '').replace(/^module:\w+(\/\w+)?\./, '');
  }
  for (const o of res) for (const p of o.params) p.type = p.type.replace(/^external:/, '');
  return res;
}
for (const mod of mods) {
  const dir = path.join('node_modules', 'kurento-client-' + mod);
  const pkg = require(path.resolve(dir, 'package.json'));
  const m = require('kurento-client-' + mod);
  out.modules.push({ name: mod, version: pkg.version, factories: Object.keys(m).filter(k => typeof m[k] === 'function' && m[k].constructorParams) });
  const add = (cls, name, abstract, file) => {
    if (seen.has(name)) return;
    seen.add(name);
    const parent = cls.super_ && cls.super_.name !== 'EventEmitter' ? cls.super_.name : null;
    const cp = [];
    for (const [k, v] of Object.entries(cls.constructorParams || {})) cp.push({ name: k, type: v.type, required: !!v.required });
    out.types.push({ name, module: mod, parent, abstract, constructorParams: abstract ? [] : cp,
                     events: cls.events || [], operations: parseMethods(file) });
  };
  for (const [k, v] of Object.entries(m.abstracts || {})) if (typeof v === 'function' && v.super_) add(v, k, true, path.join(dir, 'lib', 'abstracts', k + '.js'));
  for (const [k, v] of Object.entries(m)) if (typeof v === 'function' && v.constructorParams) add(v, k, false, path.join(dir, 'lib', k + '.js'));
}
process.stdout.write(JSON.stringify(out));
