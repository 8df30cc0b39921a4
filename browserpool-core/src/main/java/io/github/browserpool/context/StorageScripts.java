package io.github.browserpool.context;

/**
 * The scripts that read and write one origin's localStorage and IndexedDB, run in an isolated world of a
 * frame at that origin. IndexedDB values are written in Playwright's storageState shape: a value made of
 * plain objects, arrays, strings, finite numbers, booleans and null as {@code value}; any other as {@code
 * valueEncoded}, in the tagged form Playwright reads ({@code {d}} a Date, {@code {r:{p,f}}} a RegExp,
 * {@code {bi}} a BigInt, {@code {u}} a URL, {@code {ta:{b,k}}} a typed array, {@code {ab:{b}}} an
 * ArrayBuffer, {@code {v}} undefined/null/NaN/±Infinity/-0, {@code {a,id}} an array, {@code {o:[{k,v}],id}}
 * an object, {@code {ref}} a value met before); keys likewise as {@code key} or {@code keyEncoded}.
 */
final class StorageScripts {
  private StorageScripts() {}

  /** The helpers both scripts share: requests as promises, and the encoding both ways. */
  private static final String COMMON = """
      const origin = location.origin;
      if (origin !== expected) throw new Error('the frame is at ' + origin + ', not at ' + expected);
      const done = r => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
      const KINDS = { Int8Array: 'i8', Uint8Array: 'ui8', Uint8ClampedArray: 'ui8c', Int16Array: 'i16',
        Uint16Array: 'ui16', Int32Array: 'i32', Uint32Array: 'ui32', Float32Array: 'f32', Float64Array: 'f64',
        BigInt64Array: 'bi64', BigUint64Array: 'bui64' };
      const CTORS = {};
      for (const name of Object.keys(KINDS)) CTORS[KINDS[name]] = globalThis[name];
      const tag = v => Object.prototype.toString.call(v).slice(8, -1);
      const toB64 = (buf, off, len) => { const u = new Uint8Array(buf, off, len); let s = '';
        for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
        return btoa(s); };
      const fromB64 = b => { const s = atob(b); const u = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u.buffer; };
      const isPlain = (v, path) => {
        if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
        if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
        if (typeof v !== 'object' || path.has(v)) return false;
        const proto = Object.getPrototypeOf(v);
        if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return false;
        path.add(v);
        const ok = Array.isArray(v) ? v.every((x, i) => i in v && isPlain(x, path))
          : Object.keys(v).every(k => isPlain(v[k], path));
        path.delete(v);
        return ok;
      };
      const encode = (v, seen) => {
        if (v === undefined || typeof v === 'symbol' || typeof v === 'function') return { v: 'undefined' };
        if (v === null) return { v: 'null' };
        if (typeof v === 'number') {
          if (Number.isNaN(v)) return { v: 'NaN' };
          if (v === Infinity) return { v: 'Infinity' };
          if (v === -Infinity) return { v: '-Infinity' };
          if (Object.is(v, -0)) return { v: '-0' };
          return v;
        }
        if (typeof v === 'string' || typeof v === 'boolean') return v;
        if (typeof v === 'bigint') return { bi: v.toString() };
        const t = tag(v);
        if (t === 'Date') return { d: isNaN(v.getTime()) ? 'Invalid Date' : v.toJSON() };
        if (t === 'RegExp') return { r: { p: v.source, f: v.flags } };
        if (t === 'URL') return { u: v.href };
        if (t === 'Error') return { e: { n: v.name, m: v.message, s: v.stack } };
        if (KINDS[t] && ArrayBuffer.isView(v)) return { ta: { b: toB64(v.buffer, v.byteOffset, v.byteLength), k: KINDS[t] } };
        if (t === 'ArrayBuffer') return { ab: { b: toB64(v, 0, v.byteLength) } };
        if (seen.map.has(v)) return { ref: seen.map.get(v) };
        const id = ++seen.last;
        seen.map.set(v, id);
        if (Array.isArray(v)) { const a = []; for (let i = 0; i < v.length; i++) a.push(encode(v[i], seen)); return { a, id }; }
        const o = [];
        for (const k of Object.keys(v)) o.push({ k, v: encode(v[k], seen) });
        return { o, id };
      };
      const decode = (e, refs) => {
        if (e === null || typeof e !== 'object') return e;
        if ('v' in e) return { undefined: undefined, null: null, NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 }[e.v];
        if ('d' in e) return new Date(e.d);
        if ('r' in e) return new RegExp(e.r.p, e.r.f);
        if ('u' in e) return new URL(e.u);
        if ('bi' in e) return BigInt(e.bi);
        if ('e' in e) { const x = new Error(e.e.m); x.name = e.e.n; x.stack = e.e.s; return x; }
        if ('ta' in e) return new CTORS[e.ta.k](fromB64(e.ta.b));
        if ('ab' in e) return fromB64(e.ab.b);
        if ('ref' in e) return refs.get(e.ref);
        if ('a' in e) { const a = []; refs.set(e.id, a); for (const x of e.a) a.push(decode(x, refs)); return a; }
        if ('o' in e) { const o = {}; refs.set(e.id, o); for (const { k, v } of e.o) o[k] = decode(v, refs); return o; }
        throw new Error('an encoded IndexedDB value of unknown shape: ' + JSON.stringify(e).slice(0, 100));
      };
      const put = (out, field, v) => { if (isPlain(v, new Set())) out[field] = v;
        else out[field + 'Encoded'] = encode(v, { map: new Map(), last: 0 }); };
      """;

  /**
   * Reads the origin's localStorage and IndexedDB; evaluates to a JSON string {@code {localStorage:[...],
   * indexedDB:[...]}} ({@code indexedDB} empty when the origin has no database).
   */
  static String collect(String origin) {
    return "(async (expected) => {\n" + COMMON + """
        const localStorageItems = [];
        for (let i = 0; i < localStorage.length; i++) {
          const name = localStorage.key(i);
          localStorageItems.push({ name, value: localStorage.getItem(name) });
        }
        const databases = [];
        for (const info of await indexedDB.databases()) {
          if (!info.name) continue;
          const db = await done(indexedDB.open(info.name));
          try {
            const stores = [];
            for (const storeName of Array.from(db.objectStoreNames)) {
              const store = db.transaction(storeName, 'readonly').objectStore(storeName);
              // Fields in Playwright's order, so that a state reads the same from either.
              const s = { name: storeName, autoIncrement: store.autoIncrement };
              if (Array.isArray(store.keyPath)) s.keyPathArray = store.keyPath;
              else if (store.keyPath !== null) s.keyPath = store.keyPath;
              s.records = [];
              s.indexes = [];
              for (const indexName of Array.from(store.indexNames)) {
                const index = store.index(indexName);
                const x = { name: indexName };
                if (Array.isArray(index.keyPath)) x.keyPathArray = index.keyPath; else x.keyPath = index.keyPath;
                x.multiEntry = index.multiEntry;
                x.unique = index.unique;
                s.indexes.push(x);
              }
              const keys = await done(store.getAllKeys());
              const values = await done(store.getAll());
              for (let i = 0; i < keys.length; i++) {
                const r = {};
                if (store.keyPath === null) put(r, 'key', keys[i]);
                put(r, 'value', values[i]);
                s.records.push(r);
              }
              stores.push(s);
            }
            databases.push({ name: info.name, version: db.version, stores });
          } finally {
            db.close();
          }
        }
        return JSON.stringify({ localStorage: localStorageItems, indexedDB: databases });
        })(""" + quote(origin) + ")";
  }

  /**
   * Replaces the origin's localStorage with {@code localStorageJson} (Playwright's array of {name, value})
   * and each database of {@code indexedDbJson} (Playwright's array, or {@code []}) by its saved stores,
   * indexes and records; evaluates to true.
   */
  static String restore(String origin, String localStorageJson, String indexedDbJson) {
    return "(async (expected, items, databases) => {\n" + COMMON + """
        for (const d of databases) {
          await new Promise((ok, fail) => { const r = indexedDB.deleteDatabase(d.name); r.onsuccess = ok;
            r.onerror = () => fail(r.error); });
          const open = indexedDB.open(d.name, d.version);
          open.onupgradeneeded = () => {
            const db = open.result;
            for (const s of d.stores) {
              const keyPath = s.keyPathArray !== undefined ? s.keyPathArray : s.keyPath;
              const store = db.createObjectStore(s.name, keyPath === undefined
                ? { autoIncrement: s.autoIncrement } : { keyPath, autoIncrement: s.autoIncrement });
              for (const x of s.indexes) {
                store.createIndex(x.name, x.keyPathArray !== undefined ? x.keyPathArray : x.keyPath,
                  { unique: x.unique, multiEntry: x.multiEntry });
              }
            }
          };
          const db = await done(open);
          try {
            for (const s of d.stores) {
              if (s.records.length === 0) continue;
              const tx = db.transaction(s.name, 'readwrite');
              const store = tx.objectStore(s.name);
              const finished = new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error);
                tx.onabort = () => fail(tx.error || new Error('the transaction of ' + s.name + ' was aborted')); });
              for (const r of s.records) {
                const value = 'value' in r ? r.value : 'valueEncoded' in r ? decode(r.valueEncoded, new Map()) : undefined;
                const hasKey = 'key' in r || 'keyEncoded' in r;
                const key = 'key' in r ? r.key : hasKey ? decode(r.keyEncoded, new Map()) : undefined;
                if (hasKey && store.keyPath === null) store.add(value, key); else store.add(value);
              }
              await finished;
            }
          } finally {
            db.close();
          }
        }
        localStorage.clear();
        for (const { name, value } of items) localStorage.setItem(name, value);
        return true;
        })(""" + quote(origin) + ", " + localStorageJson + ", " + indexedDbJson + ")";
  }

  /** A JavaScript string literal of {@code s} (JSON's, which JavaScript reads the same). */
  private static String quote(String s) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
  }
}
