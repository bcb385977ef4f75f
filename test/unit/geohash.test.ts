/*
 * Geohash arithmetic (src/types/geohash.ts) against values redis-server
 * 7.0.15 produced: scores of known places, decoded coordinates, GEOHASH
 * strings, the cells of an area search, distances; plus the reply number
 * formats of the geo commands.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  encodeScore,
  decodeScore,
  xy,
  geohashString,
  interleave,
  encode,
  decodeCell,
  newArea,
  newShape,
  areasForShape,
  searchCells,
  estimateStepsByRadius,
  distance,
  cellScoreMin,
  cellScoreMax,
  SHAPE_CIRCLE,
  SHAPE_BOX,
  type GeoCell,
} from '../../src/types/geohash';
import { formatDist, formatHuman } from '../../src/commands/geo';

// scores ZRANGE WITHSCORES showed after GEOADD of these positions
const KNOWN: [number, number, number][] = [
  [-74.0131604, 40.7126674, 1791873972053020],
  [-73.9903085, 40.7362513, 1791875485187452],
  [-73.9733487, 40.7648057, 1791875761332224],
  [-73.9564142, 40.7480973, 1791875796750882],
  [-73.9454966, 40.747533, 1791875804419201],
  [-73.9375699, 40.7498929, 1791875830079666],
  [-73.7858139, 40.6428986, 1791895905559723],
  [1, 1, 3377822707026402],
  [2, 2, 3378191666521995],
];

test('encoding known positions gives Redis scores', () => {
  for (const [lon, lat, score] of KNOWN) assert.equal(encodeScore(lon, lat), score, `${lon},${lat}`);
});

test('decoding gives the coordinates GEOPOS shows (cell centres)', () => {
  decodeScore(1791873972053020);
  assert.equal(formatHuman(xy[0]), '-74.01316255331039429');
  assert.equal(formatHuman(xy[1]), '40.71266718145121644');
  decodeScore(1791895905559723);
  assert.equal(formatHuman(xy[0]), '-73.78581315279006958');
  assert.equal(formatHuman(xy[1]), '40.64289898154041936');
});

test('encode/decode round trip stays within one cell', () => {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cellLon = 360 / 2 ** 26;
  const cellLat = (85.05112878 * 2) / 2 ** 26;
  for (let i = 0; i < 2000; i++) {
    const lon = -180 + rnd() * 360;
    const lat = -85.05112878 + rnd() * 170.10225756;
    const s = encodeScore(lon, lat);
    assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 52);
    decodeScore(s);
    assert.ok(Math.abs(xy[0] - lon) <= cellLon / 2 + 1e-12, `lon ${lon}`);
    assert.ok(Math.abs(xy[1] - lat) <= cellLat / 2 + 1e-12, `lat ${lat}`);
    // the decoded centre encodes back to the same score
    assert.equal(encodeScore(xy[0], xy[1]), s);
  }
});

test('limits: the upper edges keep their overflow bits, as Redis does', () => {
  assert.equal(encodeScore(180, 85.05112878), 2 ** 53 + 2 ** 52);
  assert.equal(encodeScore(-180, -85.05112878), 0);
  decodeScore(2 ** 53 + 2 ** 52);
  assert.equal(xy[0], 180);
  assert.equal(xy[1], 85.05112878);
});

test('scores that are not geohashes decode as Redis decodes them', () => {
  // values checked with GEOPOS on redis-server 7.0.15
  decodeScore(-1);
  assert.deepEqual([formatHuman(xy[0]), formatHuman(xy[1])], ['180', '85.0511287799999991']);
  decodeScore(1.5);
  assert.deepEqual([formatHuman(xy[0]), formatHuman(xy[1])], ['-179.99999731779098511', '-85.05112497791824921']);
});

test('GEOHASH strings', () => {
  assert.equal(geohashString(encodeScore(-5.6, 42.6)), 'ezs42e44yx0');
  assert.equal(geohashString(1791873972053020), 'dr5reg922r0');
  assert.equal(geohashString(1791895905559723), 'dr5x0yyf1c0');
  assert.equal(geohashString(1791875796750882), 'dr5rv1fwfe0');
});

test('interleave puts latitude on even bits and longitude on odd bits', () => {
  assert.equal(interleave(1, 0), 1);
  assert.equal(interleave(0, 1), 2);
  assert.equal(interleave(0xffff, 0), 0x55555555);
  assert.equal(interleave(2 ** 25, 0), 2 ** 50);
  assert.equal(interleave(0, 2 ** 25), 2 ** 51);
  assert.equal(interleave(2 ** 26 - 1, 2 ** 26 - 1), 2 ** 52 - 1);
});

test('neighbour cells touch the centre cell and wrap around the antimeridian', () => {
  const shape = newShape();
  shape.type = SHAPE_CIRCLE;
  shape.lon = 13.361389;
  shape.lat = 38.115556;
  shape.radius = 200;
  shape.conversion = 1000;
  areasForShape(shape);
  const c0 = searchCells[0];
  const a0 = newArea();
  decodeCell(c0.lat, c0.lon, c0.step, a0);
  assert.ok(a0.lonMin <= shape.lon && shape.lon < a0.lonMax && a0.latMin <= shape.lat && shape.lat < a0.latMax);
  const a = newArea();
  const expect: [number, number][] = [[0, 0], [0, 1], [0, -1], [1, 0], [-1, 0], [1, 1], [-1, 1], [1, -1], [-1, -1]];
  for (let i = 1; i < 9; i++) {
    const cell = searchCells[i];
    if (cell.step === 0) continue;
    decodeCell(cell.lat, cell.lon, cell.step, a);
    const [dx, dy] = expect[i];
    const w = a0.lonMax - a0.lonMin;
    const h = a0.latMax - a0.latMin;
    assert.ok(Math.abs(a.lonMin - (a0.lonMin + dx * w)) < 1e-9, `cell ${i} lon`);
    assert.ok(Math.abs(a.latMin - (a0.latMin + dy * h)) < 1e-9, `cell ${i} lat`);
  }
  // east of the last column is the first column
  const c: GeoCell = { lat: 0, lon: 0, step: 0 };
  encode(179.9, 0, 10, c);
  shape.lon = 179.9;
  shape.lat = 0;
  shape.radius = 10;
  areasForShape(shape);
  const east = searchCells[3];
  if (east.step !== 0) assert.equal(east.lon, 0);
  // the cell ranges of a step are contiguous score intervals
  encode(13.361389, 38.115556, 8, c);
  assert.equal(cellScoreMax(c) - cellScoreMin(c), 2 ** (52 - 16));
});

test('step estimation and the widening near the edges', () => {
  assert.equal(estimateStepsByRadius(0, 0), 26);
  assert.equal(estimateStepsByRadius(1, 0), 24);
  assert.equal(estimateStepsByRadius(1000, 0), 14);
  assert.equal(estimateStepsByRadius(1000, 70), 13);
  assert.equal(estimateStepsByRadius(1000, -85), 12);
  assert.equal(estimateStepsByRadius(5e7, 0), 1);
  const shape = newShape();
  shape.type = SHAPE_BOX;
  shape.lon = 15;
  shape.lat = 37;
  shape.width = 400;
  shape.height = 400;
  shape.conversion = 1000;
  areasForShape(shape);
  assert.ok(searchCells[0].step >= 1 && searchCells[0].step <= 26);
});

test('haversine distances as GEODIST reports them', () => {
  const s1 = encodeScore(13.361389, 38.115556);
  const s2 = encodeScore(15.087269, 37.502669);
  decodeScore(s1);
  const x1 = xy[0];
  const y1 = xy[1];
  decodeScore(s2);
  assert.equal(formatDist(distance(x1, y1, xy[0], xy[1])), '166274.1516');
  assert.equal(formatDist(distance(x1, y1, xy[0], xy[1]) / 1000), '166.2742');
  assert.equal(formatDist(distance(x1, y1, x1, y1)), '0.0000');
});

test('number formats: 4-decimal distances (ties to even) and human long doubles', () => {
  assert.equal(formatDist(0.775), '0.7750');
  assert.equal(formatDist(0.00005), '0.0000'); // 0.5 after scaling: even
  assert.equal(formatDist(0.00025), '0.0002'); // 2.5 -> 2
  assert.equal(formatDist(0.00035), '0.0004'); // 3.5 -> 4
  assert.equal(formatDist(1234567.89), '1234567.8900');
  assert.equal(formatHuman(-0), '0');
  assert.equal(formatHuman(180), '180');
  assert.equal(formatHuman(0.1), '0.10000000000000001');
  assert.equal(formatHuman(-1e-20), '0');
  // an exact tie at the 18th decimal rounds to even
  assert.equal(formatHuman(3 / 2 ** 18), '0.00001144409179688');
  assert.equal(formatHuman(1 / 2 ** 18), '0.00000381469726562');
});
