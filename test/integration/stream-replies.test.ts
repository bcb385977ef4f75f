/*
 * Stream commands over TCP: every reply and error below was recorded from
 * redis-server 7.0.15 running the same command sequence (RESP2, then a
 * RESP3 connection for the replies whose shape differs: XREAD's map, XINFO
 * maps, nulls). Time-dependent replies (auto IDs, idle times, seen-time)
 * are left out: see stream-blocking.test.ts and stream-inprocess.test.ts.
 */
import { test, before, after } from 'node:test';
import { startNodis, RawConnection, resp, expectReplies, type NodisProcess } from '../helpers/server';

let srv: NodisProcess;

before(async () => {
  srv = await startNodis();
});
after(async () => {
  await srv.stop();
});

const RESP2: [string[], string][] = [
  [["FLUSHALL"], "+OK\r\n"],
  [["XADD", "s", "1-1", "a", "1", "b", "2"], "$3\r\n1-1\r\n"],
  [["XADD", "s", "1-2", "a", "3", "b", "4"], "$3\r\n1-2\r\n"],
  [["XADD", "s", "1-*", "a", "5"], "$3\r\n1-3\r\n"],
  [["XADD", "s", "5", "c", "6", "d", "7", "e", "8"], "$3\r\n5-0\r\n"],
  [["XADD", "s", "1-0", "x", "y"], "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"],
  [["XADD", "s", "0-0", "x", "y"], "-ERR The ID specified in XADD must be greater than 0-0\r\n"],
  [["XADD", "s"], "-ERR wrong number of arguments for 'xadd' command\r\n"],
  [["XADD", "s", "1", "a"], "-ERR wrong number of arguments for 'xadd' command\r\n"],
  [["XADD", "s", "MAXLEN", "2", "x"], "-ERR Invalid stream ID specified as stream command argument\r\n"],
  [["XREVRANGE", "s", "+", "-"], "*4\r\n*2\r\n$3\r\n5-0\r\n*6\r\n$1\r\nc\r\n$1\r\n6\r\n$1\r\nd\r\n$1\r\n7\r\n$1\r\ne\r\n$1\r\n8\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$1\r\na\r\n$1\r\n5\r\n*2\r\n$3\r\n1-2\r\n*4\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n4\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"],
  [["XRANGE", "s", "(1-1", "+"], "*3\r\n*2\r\n$3\r\n1-2\r\n*4\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n4\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$1\r\na\r\n$1\r\n5\r\n*2\r\n$3\r\n5-0\r\n*6\r\n$1\r\nc\r\n$1\r\n6\r\n$1\r\nd\r\n$1\r\n7\r\n$1\r\ne\r\n$1\r\n8\r\n"],
  [["XRANGE", "s", "-", "+", "COUNT", "2"], "*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*4\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n4\r\n"],
  [["XRANGE", "s", "-", "+", "COUNT", "0"], "*-1\r\n"],
  [["XRANGE", "s", "-", "+", "COUNT", "-1"], "*-1\r\n"],
  [["XRANGE", "s", "(-", "+"], "-ERR Invalid stream ID specified as stream command argument\r\n"],
  [["XRANGE", "s", "abc", "+"], "-ERR Invalid stream ID specified as stream command argument\r\n"],
  [["XREVRANGE", "s", "5", "1", "COUNT", "1"], "*1\r\n*2\r\n$3\r\n5-0\r\n*6\r\n$1\r\nc\r\n$1\r\n6\r\n$1\r\nd\r\n$1\r\n7\r\n$1\r\ne\r\n$1\r\n8\r\n"],
  [["XLEN", "s"], ":4\r\n"],
  [["XLEN", "nokey"], ":0\r\n"],
  [["XDEL", "s", "1-2", "99-1"], ":1\r\n"],
  [["XADD", "t", "18446744073709551615-18446744073709551615", "a", "b"], "$41\r\n18446744073709551615-18446744073709551615\r\n"],
  [["XADD", "t", "*", "a", "b"], "-ERR The stream has exhausted the last possible ID, unable to add more items\r\n"],
  [["XADD", "t2", "18446744073709551615-18446744073709551614", "a", "b"], "$41\r\n18446744073709551615-18446744073709551614\r\n"],
  [["XADD", "t2", "18446744073709551615-*", "a", "b"], "$41\r\n18446744073709551615-18446744073709551615\r\n"],
  [["XADD", "t2", "18446744073709551615-*", "a", "b"], "-ERR The stream has exhausted the last possible ID, unable to add more items\r\n"],
  [["XRANGE", "t2", "-", "+"], "*2\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551614\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$41\r\n18446744073709551615-18446744073709551615\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"],
  [["XADD", "s", "NOMKSTREAM", "9-9", "a", "b"], "$3\r\n9-9\r\n"],
  [["XADD", "nos", "NOMKSTREAM", "*", "a", "b"], "$-1\r\n"],
  [["XADD", "s", "MAXLEN", "1", "MINID", "5", "*", "a", "b"], "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n"],
  [["XADD", "s", "LIMIT", "5", "*", "a", "b"], "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n"],
  [["XADD", "s", "MAXLEN", "1", "LIMIT", "5", "*", "a", "b"], "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n"],
  [["XADD", "s", "MAXLEN", "-1", "*", "a", "b"], "-ERR The MAXLEN argument must be >= 0.\r\n"],
  [["XTRIM", "s"], "-ERR wrong number of arguments for 'xtrim' command\r\n"],
  [["XTRIM", "s", "MAXLEN", "1"], ":3\r\n"],
  [["XTRIM", "s", "FOO"], "-ERR wrong number of arguments for 'xtrim' command\r\n"],
  [["XTRIM", "nokey", "MAXLEN", "0"], ":0\r\n"],
  [["XSETID", "s", "1-1"], "-ERR The ID specified in XSETID is smaller than the target stream top item\r\n"],
  [["XSETID", "s", "99999999999-1"], "+OK\r\n"],
  [["XSETID", "s", "99999999999-1", "ENTRIESADDED", "0"], "-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n"],
  [["XSETID", "s", "99999999999-1", "MAXDELETEDID", "99999999999-2"], "-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n"],
  [["XSETID", "nokey", "1-1"], "-ERR no such key\r\n"],
  [["XSETID", "s", "99999999999-3", "ENTRIESADDED", "10", "MAXDELETEDID", "5-5"], "+OK\r\n"],
  [["SET", "str", "x"], "+OK\r\n"],
  [["XADD", "str", "*", "a", "b"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
  [["XRANGE", "str", "-", "+"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
  [["XLEN", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"],
  [["XGROUP", "CREATE", "s", "g", "$"], "+OK\r\n"],
  [["XGROUP", "CREATE", "s", "g", "$"], "-BUSYGROUP Consumer Group name already exists\r\n"],
  [["XGROUP", "CREATE", "nokey", "g", "$"], "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n"],
  [["XGROUP", "CREATE", "nokey2", "g", "$", "MKSTREAM"], "+OK\r\n"],
  [["XGROUP", "CREATE", "nokey3", "g", "0", "MKSTREAM", "ENTRIESREAD", "5"], "+OK\r\n"],
  [["XGROUP", "CREATE", "nokey3", "g2", "0", "ENTRIESREAD", "-2"], "-ERR value for ENTRIESREAD must be positive or -1\r\n"],
  [["XGROUP", "CREATE", "nokey3", "g2", "0", "FOO"], "-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n"],
  [["XGROUP", "SETID", "s", "nog", "0"], "-NOGROUP No such consumer group 'nog' for key name 's'\r\n"],
  [["XGROUP", "SETID", "s", "g", "0"], "+OK\r\n"],
  [["XGROUP", "FOO"], "-ERR unknown subcommand 'FOO'. Try XGROUP HELP.\r\n"],
  [["XGROUP", "HELP"], "*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CREATE <key> <groupname> <id|$> [option]\r\n+    Create a new consumer group. Options are:\r\n+    * MKSTREAM\r\n+      Create the empty stream if it does not exist.\r\n+    * ENTRIESREAD entries_read\r\n+      Set the group's entries_read counter (internal use).\r\n+CREATECONSUMER <key> <groupname> <consumer>\r\n+    Create a new consumer in the specified group.\r\n+DELCONSUMER <key> <groupname> <consumer>\r\n+    Remove the specified consumer.\r\n+DESTROY <key> <groupname>\r\n+    Remove the specified group.\r\n+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n+    Set the current group ID and entries_read counter.\r\n+HELP\r\n+    Prints this help.\r\n"],
  [["XINFO", "HELP"], "*9\r\n+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CONSUMERS <key> <groupname>\r\n+    Show consumers of <groupname>.\r\n+GROUPS <key>\r\n+    Show the stream consumer groups.\r\n+STREAM <key> [FULL [COUNT <count>]\r\n+    Show information about the stream.\r\n+HELP\r\n+    Prints this help.\r\n"],
  [["XINFO", "GROUPS", "s"], "*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:1\r\n"],
  [["XINFO", "FOO", "s"], "-ERR unknown subcommand 'FOO'. Try XINFO HELP.\r\n"],
  [["XINFO", "HELP", "x"], "-ERR wrong number of arguments for 'xinfo|help' command\r\n"],
  [["FLUSHALL"], "+OK\r\n"],
  [["XADD", "s", "1-1", "a", "1"], "$3\r\n1-1\r\n"],
  [["XADD", "s", "2-1", "b", "2"], "$3\r\n2-1\r\n"],
  [["XADD", "s", "3-1", "c", "3"], "$3\r\n3-1\r\n"],
  [["XADD", "s", "4-1", "d", "4"], "$3\r\n4-1\r\n"],
  [["XADD", "t", "1-1", "z", "1"], "$3\r\n1-1\r\n"],
  [["XREAD", "STREAMS", "s", "0"], "*1\r\n*2\r\n$1\r\ns\r\n*4\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"],
  [["XREAD", "COUNT", "2", "STREAMS", "s", "t", "0", "0"], "*2\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nz\r\n$1\r\n1\r\n"],
  [["XREAD", "STREAMS", "s", "t", "4-1", "0"], "*1\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nz\r\n$1\r\n1\r\n"],
  [["XREAD", "STREAMS", "s", "$"], "*-1\r\n"],
  [["XREAD", "STREAMS", "s"], "-ERR wrong number of arguments for 'xread' command\r\n"],
  [["XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"], "-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.\r\n"],
  [["XREAD", "NOACK", "STREAMS", "s", "0"], "-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.\r\n"],
  [["XREAD", "STREAMS", "s", ">"], "-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n"],
  [["XREAD", "BLOCK", "abc", "STREAMS", "s", "0"], "-ERR timeout is not an integer or out of range\r\n"],
  [["XREAD", "BLOCK", "-1", "STREAMS", "s", "0"], "-ERR timeout is negative\r\n"],
  [["XREADGROUP", "STREAMS", "s", "0"], "-ERR wrong number of arguments for 'xreadgroup' command\r\n"],
  [["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"], "-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"],
  [["XGROUP", "CREATE", "s", "g", "0"], "+OK\r\n"],
  [["XGROUP", "CREATE", "s", "g2", "$"], "+OK\r\n"],
  [["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"], "-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n"],
  [["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"], "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"],
  [["XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">"], "*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"],
  [["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"], "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"],
  [["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"], "*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"],
  [["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "2-1"], "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"],
  [["XPENDING", "s", "g"], "*4\r\n:3\r\n$3\r\n1-1\r\n$3\r\n3-1\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n*2\r\n$3\r\nbob\r\n$1\r\n2\r\n"],
  [["XPENDING", "s", "g", "(1-1", "+", "10", "nobody"], "*0\r\n"],
  [["XPENDING", "s", "nog"], "-NOGROUP No such key 's' or consumer group 'nog'\r\n"],
  [["XPENDING", "s", "g", "IDLE", "10", "-", "+"], "-ERR syntax error\r\n"],
  [["XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"], "-ERR value is not an integer or out of range\r\n"],
  [["XACK", "s", "g", "1-1", "9-9"], ":1\r\n"],
  [["XACK", "s", "g", "1-1"], ":0\r\n"],
  [["XACK", "s", "g", "bad"], "-ERR Invalid stream ID specified as stream command argument\r\n"],
  [["XACK", "s", "nog", "1-1"], ":0\r\n"],
  [["XINFO", "GROUPS", "s"], "*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n3-1\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-1\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n"],
  [["XREADGROUP", "GROUP", "g", "alice", "NOACK", "STREAMS", "s", ">"], "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"],
  [["XINFO", "GROUPS", "s"], "*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-1\r\n$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-1\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n"],
  [["XCLAIM", "s", "g", "carol", "0", "2-1", "JUSTID"], "*1\r\n$3\r\n2-1\r\n"],
  [["XCLAIM", "s", "g", "carol", "0", "3-1", "RETRYCOUNT", "7", "JUSTID"], "*1\r\n$3\r\n3-1\r\n"],
  [["XCLAIM", "s", "g", "carol", "0", "2-1", "FOO"], "-ERR Unrecognized XCLAIM option 'FOO'\r\n"],
  [["XCLAIM", "s", "nog", "carol", "0", "2-1"], "-NOGROUP No such key 's' or consumer group 'nog'\r\n"],
  [["XCLAIM", "s", "g", "carol", "x", "2-1"], "-ERR Invalid min-idle-time argument for XCLAIM\r\n"],
  [["XCLAIM", "s", "g", "carol", "0", "4-1", "FORCE", "JUSTID"], "*1\r\n$3\r\n4-1\r\n"],
  [["XCLAIM", "s", "g", "carol", "0", "2-1"], "*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"],
  [["XDEL", "s", "2-1"], ":1\r\n"],
  [["XCLAIM", "s", "g", "dave", "0", "2-1", "3-1"], "*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"],
  [["XPENDING", "s", "g"], "*4\r\n:2\r\n$3\r\n3-1\r\n$3\r\n4-1\r\n*2\r\n*2\r\n$5\r\ncarol\r\n$1\r\n1\r\n*2\r\n$4\r\ndave\r\n$1\r\n1\r\n"],
  [["XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "0"], "-ERR COUNT must be > 0\r\n"],
  [["XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "1"], "*3\r\n$3\r\n4-1\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*0\r\n"],
  [["XAUTOCLAIM", "s", "g", "erin", "0", "0", "JUSTID"], "*3\r\n$3\r\n0-0\r\n*2\r\n$3\r\n3-1\r\n$3\r\n4-1\r\n*0\r\n"],
  [["XAUTOCLAIM", "s", "g", "erin", "0", "(0", "FOO"], "-ERR syntax error\r\n"],
  [["XAUTOCLAIM", "s", "nog", "erin", "0", "0"], "-NOGROUP No such key 's' or consumer group 'nog'\r\n"],
  [["XGROUP", "CREATECONSUMER", "s", "g", "frank"], ":1\r\n"],
  [["XGROUP", "CREATECONSUMER", "s", "g", "frank"], ":0\r\n"],
  [["XGROUP", "DELCONSUMER", "s", "g", "erin"], ":2\r\n"],
  [["XGROUP", "DELCONSUMER", "s", "g", "nobody"], ":0\r\n"],
  [["XGROUP", "DESTROY", "s", "g2"], ":1\r\n"],
  [["XGROUP", "DESTROY", "s", "g2"], ":0\r\n"],
  [["XINFO", "CONSUMERS", "s", "nog"], "-NOGROUP No such consumer group 'nog' for key name 's'\r\n"],
  [["XINFO", "STREAM", "s", "FOO"], "-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.\r\n"],
  [["XREAD", "STREAMS", "s", "t", "0", "0"], "*2\r\n*2\r\n$1\r\ns\r\n*3\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nz\r\n$1\r\n1\r\n"],
  [["XINFO", "GROUPS", "s"], "*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:5\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-1\r\n$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:0\r\n"],
  [["XINFO", "STREAM", "s"], "*20\r\n$6\r\nlength\r\n:3\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n4-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-1\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-1\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"],
  [["XREAD", "STREAMS", "s", "9"], "*-1\r\n"],
  [["XPENDING", "s", "g"], "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"],
  [["XREADGROUP", "GROUP", "g", "zed", "STREAMS", "s", "0"], "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"],
  [["XRANGE", "s", "-", "+", "COUNT", "0"], "*-1\r\n"],
];

const RESP3: [string[], string][] = [
  [["FLUSHALL"], "+OK\r\n"],
  [["XADD", "s", "1-1", "a", "1"], "$3\r\n1-1\r\n"],
  [["XADD", "s", "2-1", "b", "2"], "$3\r\n2-1\r\n"],
  [["XADD", "t", "1-1", "z", "1"], "$3\r\n1-1\r\n"],
  [["XGROUP", "CREATE", "s", "g", "0"], "+OK\r\n"],
  [["XREAD", "STREAMS", "s", "t", "0", "0"], "%2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nz\r\n$1\r\n1\r\n"],
  [["XREAD", "COUNT", "1", "STREAMS", "s", "t", "1-1", "0"], "%2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nz\r\n$1\r\n1\r\n"],
  [["XREAD", "STREAMS", "s", "9"], "_\r\n"],
  [["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"], "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"],
  [["XINFO", "GROUPS", "s"], "*1\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:1\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:1\r\n"],
  [["XINFO", "STREAM", "s"], "%10\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n2-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-1\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"],
  [["XPENDING", "s", "nog"], "-NOGROUP No such key 's' or consumer group 'nog'\r\n"],
  [["XPENDING", "s", "g", "-", "+", "10", "bob"], "*0\r\n"],
  [["XRANGE", "s", "-", "+", "COUNT", "0"], "_\r\n"],
  [["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "9"], "%1\r\n$1\r\ns\r\n*0\r\n"],
];

async function replay(conn: RawConnection, table: [string[], string][]): Promise<void> {
  for (const [argv, want] of table) await expectReplies(conn, [argv], want);
}

test('RESP2 replies and errors match redis-server', async () => {
  const c = await RawConnection.connect(srv.port);
  await replay(c, RESP2);
  c.close();
});

test('RESP3 replies match redis-server', async () => {
  const c = await RawConnection.connect(srv.port);
  await c.request(resp('HELLO', '3'));
  await replay(c, RESP3);
  c.close();
});
