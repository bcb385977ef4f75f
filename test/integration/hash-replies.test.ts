/*
 * Hash commands driven in-process: every reply compared byte for byte, in
 * RESP2 and in RESP3, with what redis-server 7.0.15 answered to the same
 * sequence (recorded from the reference server; only deterministic
 * commands: listpack order, single-field random picks).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Server } from '../../src/server/server';
import { Config } from '../../src/config/config';
import { Client } from '../../src/server/client';
import { executeCommand } from '../../src/server/dispatch';

type Case = [string[], string, string];

function runCases(cases: Record<string, Case[]>): void {
  for (const [name, list] of Object.entries(cases)) {
    for (const proto of [2, 3]) {
      test(`${name} (RESP${proto})`, () => {
        const server = new Server(new Config());
        const c = new Client(server, null, 1, server.keyspace.dbs[0], '127.0.0.1:1', '127.0.0.1:2', -1);
        executeCommand(server, c, ['HELLO', String(proto)]);
        c.reply.take();
        for (const [argv, r2, r3] of list) {
          executeCommand(server, c, argv);
          const got = c.reply.take().toString('latin1');
          assert.equal(got, proto === 2 ? r2 : r3, argv.join(' '));
        }
      });
    }
  }
}

const CASES: Record<string, Case[]> = {
  "basic writes and reads": [
    [["HSET","h","a","1","b","2"], ":2\r\n", ":2\r\n"],
    [["HSET","h","a","10","c","3"], ":1\r\n", ":1\r\n"],
    [["HGET","h","a"], "$2\r\n10\r\n", "$2\r\n10\r\n"],
    [["HGET","h","zz"], "$-1\r\n", "_\r\n"],
    [["HGET","nokey","a"], "$-1\r\n", "_\r\n"],
    [["HMGET","h","a","zz","c"], "*3\r\n$2\r\n10\r\n$-1\r\n$1\r\n3\r\n", "*3\r\n$2\r\n10\r\n_\r\n$1\r\n3\r\n"],
    [["HMGET","nokey","a","b"], "*2\r\n$-1\r\n$-1\r\n", "*2\r\n_\r\n_\r\n"],
    [["HLEN","h"], ":3\r\n", ":3\r\n"],
    [["HLEN","nokey"], ":0\r\n", ":0\r\n"],
    [["HSTRLEN","h","a"], ":2\r\n", ":2\r\n"],
    [["HSTRLEN","h","zz"], ":0\r\n", ":0\r\n"],
    [["HSTRLEN","nokey","a"], ":0\r\n", ":0\r\n"],
    [["HEXISTS","h","b"], ":1\r\n", ":1\r\n"],
    [["HEXISTS","h","zz"], ":0\r\n", ":0\r\n"],
    [["HEXISTS","nokey","b"], ":0\r\n", ":0\r\n"],
    [["HKEYS","h"], "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"],
    [["HVALS","h"], "*3\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n", "*3\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n"],
    [["HGETALL","h"], "*6\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", "%3\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"],
    [["HKEYS","nokey"], "*0\r\n", "*0\r\n"],
    [["HVALS","nokey"], "*0\r\n", "*0\r\n"],
    [["HGETALL","nokey"], "*0\r\n", "%0\r\n"],
    [["HMSET","h","d","4"], "+OK\r\n", "+OK\r\n"],
    [["HSETNX","h","d","5"], ":0\r\n", ":0\r\n"],
    [["HSETNX","h","e","5"], ":1\r\n", ":1\r\n"],
    [["HSETNX","new","f","v"], ":1\r\n", ":1\r\n"],
    [["HGETALL","h"], "*10\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n", "%5\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n"],
    [["HSET","h","empty",""], ":1\r\n", ":1\r\n"],
    [["HGET","h","empty"], "$0\r\n\r\n", "$0\r\n\r\n"],
    [["HSTRLEN","h","empty"], ":0\r\n", ":0\r\n"],
    [["OBJECT","ENCODING","h"], "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"],
  ],
  "arity and wrong type": [
    [["HSET","h","a"], "-ERR wrong number of arguments for 'hset' command\r\n", "-ERR wrong number of arguments for 'hset' command\r\n"],
    [["HSET","h"], "-ERR wrong number of arguments for 'hset' command\r\n", "-ERR wrong number of arguments for 'hset' command\r\n"],
    [["HMSET","h","a","1","b"], "-ERR wrong number of arguments for 'hmset' command\r\n", "-ERR wrong number of arguments for 'hmset' command\r\n"],
    [["HSETNX","h","a"], "-ERR wrong number of arguments for 'hsetnx' command\r\n", "-ERR wrong number of arguments for 'hsetnx' command\r\n"],
    [["HDEL","h"], "-ERR wrong number of arguments for 'hdel' command\r\n", "-ERR wrong number of arguments for 'hdel' command\r\n"],
    [["HGET","h"], "-ERR wrong number of arguments for 'hget' command\r\n", "-ERR wrong number of arguments for 'hget' command\r\n"],
    [["SET","s","x"], "+OK\r\n", "+OK\r\n"],
    [["HSET","s","a","1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HGET","s","a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HMGET","s","a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HLEN","s"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HDEL","s","a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HGETALL","s"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HKEYS","s"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HINCRBY","s","a","1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HINCRBYFLOAT","s","a","1"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HRANDFIELD","s"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HRANDFIELD","s","2"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HSCAN","s","0"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HSTRLEN","s","a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HEXISTS","s","a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
    [["HSETNX","s","a","b"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
  ],
  "hdel": [
    [["HSET","h","a","1","b","2","c","3"], ":3\r\n", ":3\r\n"],
    [["HDEL","h","a","zz","a"], ":1\r\n", ":1\r\n"],
    [["HDEL","nokey","a"], ":0\r\n", ":0\r\n"],
    [["HGETALL","h"], "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n", "%2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"],
    [["HDEL","h","b","c","d"], ":2\r\n", ":2\r\n"],
    [["EXISTS","h"], ":0\r\n", ":0\r\n"],
  ],
  "hincrby": [
    [["HINCRBY","h","n","5"], ":5\r\n", ":5\r\n"],
    [["HINCRBY","h","n","-10"], ":-5\r\n", ":-5\r\n"],
    [["HINCRBY","h","n","x"], "-ERR value is not an integer or out of range\r\n", "-ERR value is not an integer or out of range\r\n"],
    [["HINCRBY","h","n","1.5"], "-ERR value is not an integer or out of range\r\n", "-ERR value is not an integer or out of range\r\n"],
    [["HSET","h","s","abc","sp"," 1","big","9223372036854775807"], ":3\r\n", ":3\r\n"],
    [["HINCRBY","h","s","1"], "-ERR hash value is not an integer\r\n", "-ERR hash value is not an integer\r\n"],
    [["HINCRBY","h","sp","1"], "-ERR hash value is not an integer\r\n", "-ERR hash value is not an integer\r\n"],
    [["HINCRBY","h","big","1"], "-ERR increment or decrement would overflow\r\n", "-ERR increment or decrement would overflow\r\n"],
    [["HINCRBY","h","big","0"], ":9223372036854775807\r\n", ":9223372036854775807\r\n"],
    [["HINCRBY","h","big","-9223372036854775808"], ":-1\r\n", ":-1\r\n"],
    [["HINCRBY","h","neg","-9223372036854775808"], ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"],
    [["HINCRBY","h","neg","-1"], "-ERR increment or decrement would overflow\r\n", "-ERR increment or decrement would overflow\r\n"],
    [["HINCRBY","h","m","9223372036854775807"], ":9223372036854775807\r\n", ":9223372036854775807\r\n"],
    [["HINCRBY","h","m","-9223372036854775807"], ":0\r\n", ":0\r\n"],
    [["HINCRBY","h","m","12345678901234567"], ":12345678901234567\r\n", ":12345678901234567\r\n"],
    [["HGETALL","h"], "*12\r\n$1\r\nn\r\n$2\r\n-5\r\n$1\r\ns\r\n$3\r\nabc\r\n$2\r\nsp\r\n$2\r\n 1\r\n$3\r\nbig\r\n$2\r\n-1\r\n$3\r\nneg\r\n$20\r\n-9223372036854775808\r\n$1\r\nm\r\n$17\r\n12345678901234567\r\n", "%6\r\n$1\r\nn\r\n$2\r\n-5\r\n$1\r\ns\r\n$3\r\nabc\r\n$2\r\nsp\r\n$2\r\n 1\r\n$3\r\nbig\r\n$2\r\n-1\r\n$3\r\nneg\r\n$20\r\n-9223372036854775808\r\n$1\r\nm\r\n$17\r\n12345678901234567\r\n"],
    [["HINCRBY","new","f","99999999999999999"], ":99999999999999999\r\n", ":99999999999999999\r\n"],
    [["HGET","new","f"], "$17\r\n99999999999999999\r\n", "$17\r\n99999999999999999\r\n"],
  ],
  "hincrbyfloat": [
    [["HINCRBYFLOAT","h","f","1.1"], "$3\r\n1.1\r\n", "$3\r\n1.1\r\n"],
    [["HINCRBYFLOAT","h","f","0.1"], "$3\r\n1.2\r\n", "$3\r\n1.2\r\n"],
    [["HINCRBYFLOAT","h","f","-1.2"], "$1\r\n0\r\n", "$1\r\n0\r\n"],
    [["HINCRBYFLOAT","h","f","5.0e3"], "$4\r\n5000\r\n", "$4\r\n5000\r\n"],
    [["HINCRBYFLOAT","h","f","x"], "-ERR value is not a valid float\r\n", "-ERR value is not a valid float\r\n"],
    [["HINCRBYFLOAT","h","f","inf"], "-ERR value is NaN or Infinity\r\n", "-ERR value is NaN or Infinity\r\n"],
    [["HINCRBYFLOAT","h","f","-inf"], "-ERR value is NaN or Infinity\r\n", "-ERR value is NaN or Infinity\r\n"],
    [["HINCRBYFLOAT","h","f","nan"], "-ERR value is not a valid float\r\n", "-ERR value is not a valid float\r\n"],
    [["HINCRBYFLOAT","h","f","1e5000"], "-ERR value is not a valid float\r\n", "-ERR value is not a valid float\r\n"],
    [["HSET","h","s","abc","sp"," 1","i","10"], ":3\r\n", ":3\r\n"],
    [["HINCRBYFLOAT","h","s","1"], "-ERR hash value is not a float\r\n", "-ERR hash value is not a float\r\n"],
    [["HINCRBYFLOAT","h","sp","1"], "-ERR hash value is not a float\r\n", "-ERR hash value is not a float\r\n"],
    [["HINCRBYFLOAT","h","i","0.5"], "$4\r\n10.5\r\n", "$4\r\n10.5\r\n"],
    [["HINCRBYFLOAT","h","i","-0.5"], "$2\r\n10\r\n", "$2\r\n10\r\n"],
    [["HINCRBYFLOAT","h","g","3.0000000000000000001"], "$1\r\n3\r\n", "$1\r\n3\r\n"],
    [["HINCRBYFLOAT","h","g","1.7976931348623157e308"], "$309\r\n179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384\r\n", "$309\r\n179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384\r\n"],
    [["HINCRBYFLOAT","h","g","1.7976931348623157e308"], "$309\r\n359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768\r\n", "$309\r\n359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768\r\n"],
    [["HMGET","h","f","s","sp","i","g"], "*5\r\n$4\r\n5000\r\n$3\r\nabc\r\n$2\r\n 1\r\n$2\r\n10\r\n$309\r\n359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768\r\n", "*5\r\n$4\r\n5000\r\n$3\r\nabc\r\n$2\r\n 1\r\n$2\r\n10\r\n$309\r\n359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768\r\n"],
    [["OBJECT","ENCODING","h"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HINCRBYFLOAT","nan","f","inf"], "-ERR value is NaN or Infinity\r\n", "-ERR value is NaN or Infinity\r\n"],
    [["EXISTS","nan"], ":0\r\n", ":0\r\n"],
  ],
  "encoding conversions": [
    [["CONFIG","SET","hash-max-listpack-value","8"], "+OK\r\n", "+OK\r\n"],
    [["CONFIG","SET","hash-max-listpack-entries","3"], "+OK\r\n", "+OK\r\n"],
    [["HSET","a","f","12345678"], ":1\r\n", ":1\r\n"],
    [["OBJECT","ENCODING","a"], "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"],
    [["HSET","a","g","123456789"], ":1\r\n", ":1\r\n"],
    [["OBJECT","ENCODING","a"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HSET","b","123456789","x"], ":1\r\n", ":1\r\n"],
    [["OBJECT","ENCODING","b"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HSET","c","1","1","2","2","3","3"], ":3\r\n", ":3\r\n"],
    [["OBJECT","ENCODING","c"], "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"],
    [["HSET","c","1","x"], ":0\r\n", ":0\r\n"],
    [["OBJECT","ENCODING","c"], "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"],
    [["HSET","c","4","4"], ":1\r\n", ":1\r\n"],
    [["OBJECT","ENCODING","c"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HDEL","c","1","2","3"], ":3\r\n", ":3\r\n"],
    [["OBJECT","ENCODING","c"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HSET","d","x","0"], ":1\r\n", ":1\r\n"],
    [["HINCRBYFLOAT","d","x","0.000005"], "$8\r\n0.000005\r\n", "$8\r\n0.000005\r\n"],
    [["OBJECT","ENCODING","d"], "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"],
    [["HINCRBYFLOAT","d","x","0.0000005"], "$9\r\n0.0000055\r\n", "$9\r\n0.0000055\r\n"],
    [["OBJECT","ENCODING","d"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HINCRBYFLOAT","e","abcdefghi","1"], "$1\r\n1\r\n", "$1\r\n1\r\n"],
    [["OBJECT","ENCODING","e"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HINCRBY","f","abcdefghi","1"], ":1\r\n", ":1\r\n"],
    [["OBJECT","ENCODING","f"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HSETNX","g","abcdefghi","1"], ":1\r\n", ":1\r\n"],
    [["OBJECT","ENCODING","g"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HSET","h","a","1","b","2","c","3","d","4"], ":4\r\n", ":4\r\n"],
    [["OBJECT","ENCODING","h"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HLEN","h"], ":4\r\n", ":4\r\n"],
    [["CONFIG","SET","hash-max-listpack-value","64"], "+OK\r\n", "+OK\r\n"],
    [["CONFIG","SET","hash-max-listpack-entries","512"], "+OK\r\n", "+OK\r\n"],
  ],
  "hrandfield shapes": [
    [["HRANDFIELD","nokey"], "$-1\r\n", "_\r\n"],
    [["HRANDFIELD","nokey","5"], "*0\r\n", "*0\r\n"],
    [["HRANDFIELD","nokey","-5","WITHVALUES"], "*0\r\n", "*0\r\n"],
    [["HSET","h","a","1"], ":1\r\n", ":1\r\n"],
    [["HRANDFIELD","h"], "$1\r\na\r\n", "$1\r\na\r\n"],
    [["HRANDFIELD","h","0"], "*0\r\n", "*0\r\n"],
    [["HRANDFIELD","h","0","WITHVALUES"], "*0\r\n", "*0\r\n"],
    [["HRANDFIELD","h","1"], "*1\r\n$1\r\na\r\n", "*1\r\n$1\r\na\r\n"],
    [["HRANDFIELD","h","5","WITHVALUES"], "*2\r\n$1\r\na\r\n$1\r\n1\r\n", "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"],
    [["HRANDFIELD","h","-3"], "*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n", "*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"],
    [["HRANDFIELD","h","-2","WITHVALUES"], "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n", "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"],
    [["HRANDFIELD","h","1","withvalues","x"], "-ERR syntax error\r\n", "-ERR syntax error\r\n"],
    [["HRANDFIELD","h","1","foo"], "-ERR syntax error\r\n", "-ERR syntax error\r\n"],
    [["HRANDFIELD","h","x"], "-ERR value is not an integer or out of range\r\n", "-ERR value is not an integer or out of range\r\n"],
    [["HRANDFIELD","h","-9223372036854775808"], "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"],
    [["HRANDFIELD","h","-9223372036854770000","WITHVALUES"], "-ERR value is out of range\r\n", "-ERR value is out of range\r\n"],
    [["HRANDFIELD","h","-4611686018427387904","WITHVALUES"], "-ERR value is out of range\r\n", "-ERR value is out of range\r\n"],
    [["HRANDFIELD","h","9223372036854775807","WITHVALUES"], "-ERR value is out of range\r\n", "-ERR value is out of range\r\n"],
  ],
  "hscan": [
    [["HSCAN","nokey","0"], "*2\r\n$1\r\n0\r\n*0\r\n", "*2\r\n$1\r\n0\r\n*0\r\n"],
    [["HSCAN","nokey","x"], "-ERR invalid cursor\r\n", "-ERR invalid cursor\r\n"],
    [["HSET","h","a","1","bb","2","ab","3"], ":3\r\n", ":3\r\n"],
    [["HSCAN","h","0"], "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nbb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n", "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nbb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n"],
    [["HSCAN","h","0","MATCH","a*"], "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n3\r\n", "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n3\r\n"],
    [["HSCAN","h","0","COUNT","1"], "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nbb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n", "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nbb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n3\r\n"],
    [["HSCAN","h","0","COUNT","0"], "-ERR syntax error\r\n", "-ERR syntax error\r\n"],
    [["HSCAN","h","0","FOO"], "-ERR syntax error\r\n", "-ERR syntax error\r\n"],
    [["HSCAN","h","0","MATCH"], "-ERR syntax error\r\n", "-ERR syntax error\r\n"],
    [["HSCAN","h","x"], "-ERR invalid cursor\r\n", "-ERR invalid cursor\r\n"],
    [["HSCAN","h","0","TYPE","hash"], "-ERR syntax error\r\n", "-ERR syntax error\r\n"],
  ],
  "lowered limits apply on the next write": [
    [["HSET","h","a","1","b","2","c","3"], ":3\r\n", ":3\r\n"],
    [["CONFIG","SET","hash-max-listpack-entries","2"], "+OK\r\n", "+OK\r\n"],
    [["OBJECT","ENCODING","h"], "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"],
    [["HSET","h","a","5"], ":0\r\n", ":0\r\n"],
    [["OBJECT","ENCODING","h"], "$9\r\nhashtable\r\n", "$9\r\nhashtable\r\n"],
    [["HSET","g","a","1","b","2"], ":2\r\n", ":2\r\n"],
    [["HDEL","g","a"], ":1\r\n", ":1\r\n"],
    [["OBJECT","ENCODING","g"], "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"],
    [["CONFIG","SET","hash-max-listpack-entries","512"], "+OK\r\n", "+OK\r\n"],
    [["HSET","g","x","1"], ":1\r\n", ":1\r\n"],
    [["OBJECT","ENCODING","g"], "$8\r\nlistpack\r\n", "$8\r\nlistpack\r\n"],
  ],
};

runCases(CASES);
