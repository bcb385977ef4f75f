import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { startNodis, RawConnection, waitFor, type NodisProcess } from '../helpers/server';
import { cmd, readReply, bulkText, sleep } from './client-resp';

let srv: NodisProcess;

before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

const INFO_LINE = new RegExp(
  '^id=(\\d+) addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:(\\d+) fd=\\d+ name=(\\S*) age=\\d+ idle=\\d+ flags=(\\w+) db=(\\d+) ' +
  'sub=0 psub=0 ssub=0 multi=-1 qbuf=(\\d+) qbuf-free=\\d+ argv-mem=(\\d+) multi-mem=0 rbs=\\d+ rbp=\\d+ obl=\\d+ oll=0 omem=\\d+ ' +
  'tot-mem=\\d+ events=rw? cmd=(\\S+) user=default redir=-1 resp=([23])$');

async function connect(): Promise<RawConnection> {
  return RawConnection.connect(srv.port);
}

test('CLIENT ID, SETNAME, GETNAME', async () => {
  const a = await connect();
  const b = await connect();
  const ida = Number((await cmd(a, 'CLIENT', 'ID')).slice(1));
  const idb = Number((await cmd(b, 'client', 'id')).slice(1));
  assert.ok(idb > ida);
  assert.equal(await cmd(a, 'CLIENT', 'GETNAME'), '$-1\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'SETNAME', 'foo bar'), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'SETNAME', 'x\ny'), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'SETNAME', 'myname'), '+OK\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'GETNAME'), '$6\r\nmyname\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'SETNAME', ''), '+OK\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'GETNAME'), '$-1\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'ID', 'x'), "-ERR wrong number of arguments for 'client|id' command\r\n");
  assert.equal(await cmd(a, 'CLIENT', 'FOO'), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
  a.close();
  b.close();
});

test('CLIENT INFO has Redis 7.0 fields in order with live values', async () => {
  const a = await connect();
  const r = await cmd(a, 'CLIENT', 'INFO');
  const text = bulkText(r);
  assert.ok(text.endsWith('\n'));
  const m = INFO_LINE.exec(text.slice(0, -1));
  assert.ok(m, text);
  assert.equal(m[2], String(srv.port));
  assert.equal(m[4], 'N');
  assert.equal(m[5], '0');
  assert.equal(m[6], '26'); // the CLIENT INFO request itself
  assert.equal(m[7], '10');
  assert.equal(m[8], 'client|info');
  assert.equal(m[9], '2');
  assert.equal(await cmd(a, 'SELECT', '3'), '+OK\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'NO-EVICT', 'on'), '+OK\r\n');
  const t2 = bulkText(await cmd(a, 'CLIENT', 'INFO'));
  assert.match(t2, / flags=e db=3 /);
  assert.equal(await cmd(a, 'CLIENT', 'NO-EVICT', 'off'), '+OK\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'NO-EVICT', 'maybe'), '-ERR syntax error\r\n');
  assert.match(bulkText(await cmd(a, 'CLIENT', 'INFO')), / flags=N db=3 /);
  // RESP3: a verbatim string
  await cmd(a, 'HELLO', '3');
  const v = await cmd(a, 'CLIENT', 'INFO');
  assert.ok(v.startsWith('='), v);
  assert.ok(v.includes('\r\ntxt:id='));
  assert.match(v, / resp=3\n\r\n$/);
  a.close();
});

test('CLIENT LIST, TYPE and ID filters', async () => {
  const a = await connect();
  const b = await connect();
  await cmd(b, 'CLIENT', 'SETNAME', 'bee');
  const idb = (await cmd(b, 'CLIENT', 'ID')).slice(1, -2);
  const all = bulkText(await cmd(a, 'CLIENT', 'LIST')).split('\n');
  assert.equal(all.pop(), '');
  for (const line of all) assert.ok(INFO_LINE.test(line), line);
  const bee = all.find((l) => l.includes(' name=bee '));
  assert.ok(bee);
  assert.match(bee, / qbuf=0 qbuf-free=20474 argv-mem=0 /);
  assert.match(bee, / cmd=client\|id /);
  const mine = all.find((l) => l.includes('cmd=client|list'));
  assert.ok(mine);
  assert.match(mine, / qbuf=26 /);

  const byId = bulkText(await cmd(a, 'CLIENT', 'LIST', 'ID', idb, '999999'));
  assert.equal(byId.split('\n').length, 2);
  assert.ok(byId.startsWith(`id=${idb} `));
  assert.equal(await cmd(a, 'CLIENT', 'LIST', 'ID', idb, 'abc'), '-ERR Invalid client ID\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'LIST', 'TYPE', 'foo'), "-ERR Unknown client type 'foo'\r\n");
  assert.equal(await cmd(a, 'CLIENT', 'LIST', 'TYPE'), '-ERR syntax error\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'LIST', 'foo', 'bar'), '-ERR syntax error\r\n');
  assert.equal(bulkText(await cmd(a, 'CLIENT', 'LIST', 'TYPE', 'master')), '');
  assert.equal(bulkText(await cmd(a, 'CLIENT', 'LIST', 'TYPE', 'pubsub')), '');
  const normal = bulkText(await cmd(a, 'CLIENT', 'LIST', 'TYPE', 'normal'));
  assert.ok(normal.includes(' name=bee '));
  const m = await connect();
  assert.equal(await cmd(m, 'MONITOR'), '+OK\r\n');
  const rep = bulkText(await cmd(a, 'CLIENT', 'LIST', 'TYPE', 'replica'));
  assert.equal(rep.split('\n').length, 2);
  assert.match(rep, / flags=O /);
  assert.match(bulkText(await cmd(a, 'CLIENT', 'LIST', 'TYPE', 'slave')), / flags=O /);
  a.close();
  b.close();
  m.close();
});

test('CLIENT KILL: old and new forms, errors, counts', async () => {
  const a = await connect();
  const b = await connect();
  const binfo = bulkText(await cmd(b, 'CLIENT', 'INFO'));
  const baddr = /addr=(\S+)/.exec(binfo)![1];
  const bid = /^id=(\d+)/.exec(binfo)![1];
  assert.equal(await cmd(a, 'CLIENT', 'KILL'), "-ERR wrong number of arguments for 'client|kill' command\r\n");
  assert.equal(await cmd(a, 'CLIENT', 'KILL', '1.2.3.4:5'), '-ERR No such client\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'ID', '10', 'wrong_arg'), '-ERR syntax error\r\n');
  for (const bad of ['str', '-1', '0']) {
    assert.equal(await cmd(a, 'CLIENT', 'KILL', 'ID', bad), '-ERR client-id should be greater than 0\r\n');
  }
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'TYPE', 'wrong_type'), "-ERR Unknown client type 'wrong_type'\r\n");
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'USER', 'wrong_user'), "-ERR No such user 'wrong_user'\r\n");
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'SKIPME', 'yes_or_no'), '-ERR syntax error\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'FOO', 'bar'), '-ERR syntax error\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'), ':0\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'ID', '999999', 'TYPE', 'normal'), ':0\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'KILL', baddr), '+OK\r\n');
  assert.ok(await b.waitClosed());

  const c = await connect();
  const cid = (await cmd(c, 'CLIENT', 'ID')).slice(1, -2);
  assert.notEqual(cid, bid);
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'ID', cid, 'USER', 'default'), ':1\r\n');
  assert.ok(await c.waitClosed());

  // the new form skips the caller unless SKIPME no; the caller still gets its reply
  const d = await connect();
  const aid = (await cmd(a, 'CLIENT', 'ID')).slice(1, -2);
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'ID', aid), ':0\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'KILL', 'LADDR', `127.0.0.1:${srv.port}`, 'SKIPME', 'no'), ':2\r\n');
  assert.ok(await d.waitClosed());
  assert.ok(await a.waitClosed());
});

test('CLIENT REPLY OFF/ON/SKIP', async () => {
  const a = await connect();
  a.write('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*1\r\n$4\r\nPING\r\n*1\r\n$3\r\nGET\r\n');
  a.write('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n*2\r\n$4\r\nPING\r\n$3\r\nabc\r\n');
  assert.equal(await readReply(a), '+OK\r\n');
  assert.equal(await readReply(a), '$3\r\nabc\r\n');
  a.write('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n');
  a.write('*2\r\n$4\r\nPING\r\n$1\r\n1\r\n*2\r\n$4\r\nPING\r\n$1\r\n2\r\n');
  assert.equal(await readReply(a), '$1\r\n2\r\n');
  a.write('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n');
  assert.equal(await readReply(a), '+OK\r\n');
  assert.equal(await cmd(a, 'PING'), '+PONG\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'REPLY', 'maybe'), '-ERR syntax error\r\n');
  a.close();
});

test('CLIENT PAUSE WRITE holds writes only; UNPAUSE releases them in order', async () => {
  const a = await connect();
  const w = await connect();
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
  assert.equal(await cmd(w, 'GET', 'k'), '$-1\r\n');
  assert.equal(await cmd(w, 'PING'), '+PONG\r\n');
  w.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
  await sleep(200);
  // the SET is held (and the GET behind it): the client shows as blocked
  const list = bulkText(await cmd(a, 'CLIENT', 'LIST'));
  assert.match(list, / flags=b .*cmd=set /);
  assert.equal(await cmd(a, 'GET', 'k'), '$-1\r\n');
  // arity errors are answered at once
  assert.equal(await cmd(a, 'SET', 'k'), "-ERR wrong number of arguments for 'set' command\r\n");
  assert.equal(await cmd(a, 'CLIENT', 'UNPAUSE'), '+OK\r\n');
  assert.equal(await readReply(w), '+OK\r\n');
  assert.equal(await readReply(w), '$1\r\nv\r\n');
  a.close();
  w.close();
});

test('CLIENT PAUSE WRITE also holds may-replicate commands: PUBLISH, PFCOUNT, EVAL of a script without flags', async () => {
  const a = await connect();
  const p = await connect();
  const e = await connect();
  assert.equal(await cmd(a, 'PFADD', 'pause-hll', 'x'), ':1\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
  p.write('*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$1\r\nm\r\n*2\r\n$7\r\nPFCOUNT\r\n$9\r\npause-hll\r\n');
  e.write('*3\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n$1\r\n0\r\n');
  await waitFor(async () => {
    const list = bulkText(await cmd(a, 'CLIENT', 'LIST'));
    return / flags=b .*cmd=publish /.test(list) && / flags=b .*cmd=eval /.test(list);
  }, 'PUBLISH and EVAL held', 10000);
  // scripts that declare no-writes, and read-only scripts, run; an RO script may not publish
  assert.equal(await cmd(a, 'EVAL', '#!lua flags=no-writes\nreturn 2', '0'), ':2\r\n');
  assert.equal(await cmd(a, 'EVAL_RO', 'return 3', '0'), ':3\r\n');
  assert.match(await cmd(a, 'EVAL_RO', "return redis.call('publish', 'ch', 'm')", '0'),
    /^-ERR Write commands are not allowed from read-only scripts\. script: /);
  assert.equal(await cmd(a, 'CLIENT', 'UNPAUSE'), '+OK\r\n');
  assert.equal(await readReply(p), ':0\r\n');
  assert.equal(await readReply(p), ':1\r\n');
  assert.equal(await readReply(e), ':1\r\n');
  a.close();
  p.close();
  e.close();
});

test('CLIENT PAUSE ALL holds every command until the timeout', async () => {
  const a = await connect();
  const r = await connect();
  const t0 = Date.now();
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', '400'), '+OK\r\n');
  assert.equal(await cmd(r, 'PING'), '+PONG\r\n');
  assert.ok(Date.now() - t0 >= 350, `held for ${Date.now() - t0} ms`);
  a.close();
  r.close();
});

test('CLIENT PAUSE errors and extension', async () => {
  const a = await connect();
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', 'abc'), '-ERR timeout is not an integer or out of range\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', '-1'), '-ERR timeout is negative\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', '10', 'foo'), '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', 'abc', 'foo'), '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', '10', 'write', 'x'), "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n");
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE'), "-ERR wrong number of arguments for 'client|pause' command\r\n");
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', '0'), '+OK\r\n');
  assert.equal(await cmd(a, 'SET', 'x', '1'), '+OK\r\n');
  // a shorter WRITE pause does not shorten or weaken a longer ALL pause... checked on writes
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
  assert.equal(await cmd(a, 'CLIENT', 'PAUSE', '10', 'WRITE'), '+OK\r\n');
  await sleep(100);
  const w = await connect();
  w.write('*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n2\r\n');
  await sleep(100);
  assert.match(bulkText(await cmd(a, 'CLIENT', 'LIST', 'TYPE', 'normal')), / flags=b /);
  assert.equal(await cmd(a, 'CLIENT', 'UNPAUSE'), '+OK\r\n');
  assert.equal(await readReply(w), '+OK\r\n');
  a.close();
  w.close();
});

test('CLIENT HELP', async () => {
  const a = await connect();
  const r = await cmd(a, 'CLIENT', 'HELP');
  assert.ok(r.startsWith('*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CACHING (YES|NO)\r\n'));
  assert.ok(r.endsWith('+HELP\r\n+    Prints this help.\r\n'));
  a.close();
});
