/*
 * Geohash arithmetic as Redis's GEO commands use it (pure, no I/O).
 *
 * A position is stored as the score of a sorted set member: a 52-bit
 * integer interleaving 26 bits of latitude (even bit positions) with 26 bits
 * of longitude (odd positions), over Redis's ranges: longitude -180..180 and
 * latitude -85.05112878..85.05112878 (the Web Mercator limits). A double
 * holds such an integer exactly, so the score is the hash itself.
 *
 * Representation: a hash of `step` bits per axis is kept as its two axis
 * integers (lat, lon) rather than as one 64-bit word, so every operation is
 * plain 32-bit integer arithmetic (no BigInt). An axis value may equal
 * 2^step when a coordinate sits exactly on the upper limit: Redis keeps that
 * overflow bit too, and so do we, to find the same cells.
 *
 * The arithmetic follows Redis step by step (same double operations in the
 * same order) so that encoded scores, decoded coordinates, the 9 cells of
 * an area search and distances come out bit-identical:
 *  - encode truncates ((v - min) / (max - min)) * 2^step;
 *  - decode takes the centre of the cell, clamped to the limits;
 *  - a search covers the centre cell and its 8 neighbours at a step chosen
 *    from the radius, lowered once more when a neighbour falls short of the
 *    bounding box, with the neighbours that cannot matter dropped;
 *  - distances use the haversine formula on a sphere of 6372797.560856 m.
 * Functions that produce coordinates write them into caller-owned or
 * module-level scratch arrays so that the per-candidate search loop does
 * not allocate.
 */

export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
const GEO_STEP_MAX = 26;

const D_R = Math.PI / 180.0;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

const TWO32 = 4294967296;

/** POW2[k] = 2^k for 0 <= k <= 64 (exact doubles; avoids Math.pow on the search path) */
const POW2: number[] = [];
for (let k = 0, v = 1; k <= 64; k++, v *= 2) POW2.push(v);

/* ---------------------------------------------------------------- bits */

/** Spread the low 16 bits of v to the even bit positions of a 32-bit value. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** Gather the even bits of a 32-bit value into 16 bits. */
function squash16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** The interleaved word for two 32-bit axis values (lat on even bits, lon on odd bits), as a double. */
export function interleave(lat: number, lon: number): number {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return hi * TWO32 + lo;
}

/**
 * The 64-bit word C obtains with (uint64_t)score on x86-64, as two 32-bit
 * halves in word[0] (high) and word[1] (low): plain truncation for
 * 0 <= score < 2^64, two's complement for negative scores down to -2^63,
 * and the hardware's "indefinite" results beyond (what gcc's conversion
 * sequence yields). Only scores that are not geohashes take this path.
 */
const word = new Float64Array(2);
function scoreToWord(score: number): void {
  if (score >= 0 && score < 9007199254740992) {
    const t = Math.floor(score);
    const hi = Math.floor(t / TWO32);
    word[0] = hi;
    word[1] = t - hi * TWO32;
    return;
  }
  if (score >= 9223372036854775808) {
    // x - 2^63 converted signed, then the top bit flipped
    const r = score - 9223372036854775808;
    if (r < 9223372036854775808) {
      const hi = Math.floor(r / TWO32);
      word[0] = (hi ^ 0x80000000) >>> 0;
      word[1] = r - hi * TWO32;
    } else {
      // indefinite 0x8000000000000000 ^ 0x8000000000000000
      word[0] = 0;
      word[1] = 0;
    }
    return;
  }
  if (score >= 9007199254740992) {
    const hi = Math.floor(score / TWO32);
    word[0] = hi;
    word[1] = score - hi * TWO32;
    return;
  }
  // negative (or NaN)
  if (!(score >= -9223372036854775808)) {
    word[0] = 0x80000000;
    word[1] = 0;
    return;
  }
  const t = Math.ceil(score); // truncation toward zero
  if (t === 0) {
    word[0] = 0;
    word[1] = 0;
    return;
  }
  // two's complement of |t| on 64 bits
  const m = -t;
  const hi = Math.floor(m / TWO32);
  const lo = (~(m - hi * TWO32) + 1) >>> 0;
  word[0] = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  word[1] = lo;
}

/* ---------------------------------------------------------------- cells */

/** A cell: axis values at `step` bits, or the zero cell (step 0) that stands for "none". */
export interface GeoCell {
  lat: number;
  lon: number;
  step: number;
}

/** A cell's extent in degrees. */
export interface GeoArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

export function newArea(): GeoArea {
  return { lonMin: 0, lonMax: 0, latMin: 0, latMax: 0 };
}

/**
 * Encode a position at `step` bits per axis over the given ranges into
 * `out`; false (out untouched) when outside Redis's limits or the ranges.
 */
function encodeRange(lon: number, lat: number, lonMin: number, lonMax: number, latMin: number, latMax: number, step: number, out: GeoCell): boolean {
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return false;
  if (lat < latMin || lat > latMax || lon < lonMin || lon > lonMax) return false;
  let latOffset = (lat - latMin) / (latMax - latMin);
  let lonOffset = (lon - lonMin) / (lonMax - lonMin);
  const scale = POW2[step];
  latOffset *= scale;
  lonOffset *= scale;
  out.lat = Math.floor(latOffset);
  out.lon = Math.floor(lonOffset);
  out.step = step;
  return true;
}

/** Encode on Redis's (Mercator-limited) ranges. */
export function encode(lon: number, lat: number, step: number, out: GeoCell): boolean {
  return encodeRange(lon, lat, GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, step, out);
}

const scratchCell: GeoCell = { lat: 0, lon: 0, step: 0 };

/** The sorted-set score for a position (which must be within the limits). */
export function encodeScore(lon: number, lat: number): number {
  if (!encode(lon, lat, GEO_STEP_MAX, scratchCell)) return 0;
  return interleave(scratchCell.lat, scratchCell.lon);
}

/** Extent of a cell on Redis's ranges (axis values read as unsigned 32-bit, as C does). */
export function decodeCell(latV: number, lonV: number, step: number, out: GeoArea): void {
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const div = POW2[step];
  out.latMin = GEO_LAT_MIN + (latV / div) * latScale;
  out.latMax = GEO_LAT_MIN + (((latV + 1) >>> 0) / div) * latScale;
  out.lonMin = GEO_LONG_MIN + (lonV / div) * lonScale;
  out.lonMax = GEO_LONG_MIN + (((lonV + 1) >>> 0) / div) * lonScale;
}

/**
 * Scratch results: decodeScore() writes the position into xy[0] (lon) and
 * xy[1] (lat); withinShape() also writes the distance (meters) into xy[2].
 */
export const xy = new Float64Array(3);

const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LON_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;
/** 1 / 2^26: multiplying by it is exactly dividing by 2^26 */
const INV_CELLS = 1 / 67108864;

/**
 * Centre of the 26-bit cell a score stands for, clamped to the limits, into
 * xy[0] (lon), xy[1] (lat). The search's inner loop: no allocation, and
 * geohash scores (integers below 2^53) split without the general path.
 */
export function decodeScore(score: number): void {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 9007199254740992) {
    // halves as int32 bit patterns: truncation of a non-negative value is its floor
    hi = (score * (1 / TWO32)) >>> 0;
    lo = (score - hi * TWO32) | 0;
  } else {
    scoreToWord(score);
    hi = word[0] | 0;
    lo = word[1] | 0;
  }
  const latV = (squash16(lo) | (squash16(hi) << 16)) >>> 0;
  const lonV = (squash16(lo >>> 1) | (squash16(hi >>> 1) << 16)) >>> 0;
  const latMin = GEO_LAT_MIN + latV * INV_CELLS * LAT_SCALE;
  const latMax = GEO_LAT_MIN + ((latV + 1) >>> 0) * INV_CELLS * LAT_SCALE;
  const lonMin = GEO_LONG_MIN + lonV * INV_CELLS * LON_SCALE;
  const lonMax = GEO_LONG_MIN + ((lonV + 1) >>> 0) * INV_CELLS * LON_SCALE;
  let x = (lonMin + lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (latMin + latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  xy[0] = x;
  xy[1] = y;
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * The standard 11-character geohash of a score: decode on Redis's ranges,
 * re-encode on -180..180 / -90..90, emit 5 bits per character; the 11th
 * character stands for bits the 52-bit hash does not have (always '0').
 */
export function geohashString(score: number): string {
  decodeScore(score);
  const c = scratchCell;
  encodeRange(xy[0], xy[1], -180, 180, -90, 90, GEO_STEP_MAX, c);
  const bits = interleave(c.lat, c.lon);
  let s = '';
  for (let i = 0; i < 10; i++) {
    const shift = 52 - (i + 1) * 5;
    s += GEOALPHABET[Math.floor(bits / 2 ** shift) % 32];
  }
  return s + '0';
}

/** Score range [min, max) holding every 52-bit hash inside a cell. */
export function cellScoreMin(c: GeoCell): number {
  return interleave(c.lat, c.lon) * POW2[52 - c.step * 2];
}

export function cellScoreMax(c: GeoCell): number {
  return (interleave(c.lat, c.lon) + 1) * POW2[52 - c.step * 2];
}

/** Move a cell by one along longitude (d = ±1): the moved axis wraps at `step` bits. */
function moveLon(c: GeoCell, d: number): void {
  const mask = c.step >= 32 ? 0xffffffff : POW2[c.step] - 1;
  c.lon = (((c.lon + d) >>> 0) & mask) >>> 0;
}

function moveLat(c: GeoCell, d: number): void {
  const mask = c.step >= 32 ? 0xffffffff : POW2[c.step] - 1;
  c.lat = (((c.lat + d) >>> 0) & mask) >>> 0;
}

/* ---------------------------------------------------------------- distances */

function degRad(a: number): number {
  return a * D_R;
}

function radDeg(a: number): number {
  return a / D_R;
}

/** Distance along a meridian between two latitudes (meters). */
function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** Haversine great-circle distance in meters. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/* ---------------------------------------------------------------- shapes and areas */

export const SHAPE_CIRCLE = 1;
export const SHAPE_BOX = 2;

/** A search shape: centre, radius or box (in the unit), unit-to-meter factor, bounding box. */
export interface GeoShape {
  type: number;
  lon: number;
  lat: number;
  radius: number;
  width: number;
  height: number;
  conversion: number;
  /** bounding box: min lon, min lat, max lon, max lat */
  bounds: Float64Array;
  /** the centre in radians and the cosine of its latitude (set by areasForShape) */
  lonR: number;
  latR: number;
  cosLat: number;
  /** meters per radian of longitude difference that every candidate is at least away (0: unknown) */
  lonK: number;
}

export function newShape(): GeoShape {
  return { type: 0, lon: 0.5, lat: 0.5, radius: 0.5, width: 0.5, height: 0.5, conversion: 0.5, bounds: new Float64Array(4), lonR: 0.5, latR: 0.5, cosLat: 0.5, lonK: 0.5 };
}

/** Step (bits per axis) of the 9 cells for a search of this radius around this latitude. */
export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** Fill shape.bounds with the shape's bounding box (the box's sides bend with latitude). */
function boundingBox(shape: GeoShape): void {
  const lon = shape.lon;
  const lat = shape.lat;
  const circle = shape.type === SHAPE_CIRCLE;
  const height = shape.conversion * (circle ? shape.radius : shape.height / 2);
  const width = shape.conversion * (circle ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat - latDelta)));
  const south = lat < 0;
  const b = shape.bounds;
  b[0] = south ? lon - lonDeltaBottom : lon - lonDeltaTop;
  b[2] = south ? lon + lonDeltaBottom : lon + lonDeltaTop;
  b[1] = lat - latDelta;
  b[3] = lat + latDelta;
}

/**
 * The cells to scan, in Redis's order: centre, N, S, E, W, NE, NW, SE, SW.
 * A cell with step 0 is excluded. Filled by areasForShape().
 */
export const searchCells: GeoCell[] = [];
for (let i = 0; i < 9; i++) searchCells.push({ lat: 0, lon: 0, step: 0 });

const IDX_N = 1;
const IDX_S = 2;
const IDX_E = 3;
const IDX_W = 4;
const IDX_NE = 5;
const IDX_NW = 6;
const IDX_SE = 7;
const IDX_SW = 8;
// longitude and latitude moves of each neighbour
const MOVE_LON = [0, 0, 0, 1, -1, 1, -1, 1, -1];
const MOVE_LAT = [0, 1, -1, 0, 0, 1, 1, -1, -1];

function setNeighbours(step: number): void {
  const c0 = searchCells[0];
  for (let i = 1; i < 9; i++) {
    const c = searchCells[i];
    c.lat = c0.lat;
    c.lon = c0.lon;
    c.step = step;
    if (MOVE_LON[i] !== 0) moveLon(c, MOVE_LON[i]);
    if (MOVE_LAT[i] !== 0) moveLat(c, MOVE_LAT[i]);
  }
}

function zero(i: number): void {
  const c = searchCells[i];
  c.lat = 0;
  c.lon = 0;
  c.step = 0;
}

const nArea = newArea();
/** Extent of the centre cell (scratch of areasForShape). */
const centreArea = newArea();

/** Compute the 9 search cells (searchCells) covering a shape; also fills shape.bounds. */
export function areasForShape(shape: GeoShape): void {
  shape.lonR = degRad(shape.lon);
  shape.latR = degRad(shape.lat);
  shape.cosLat = Math.cos(shape.latR);
  shape.lonK = 0;
  if (shape.type === SHAPE_CIRCLE) {
    // Candidates that pass the latitude pre-rejection (withinShape) lie
    // within `band` radians of the centre's latitude, so cos(lat) of any of
    // them is at least minCos; see withinShape for how lonK is used.
    const limit = shape.radius * shape.conversion;
    const band = (limit * 1.000001 + 0.001) / EARTH_RADIUS_IN_METERS;
    const far = Math.abs(shape.latR) + band;
    if (limit < 1e6 && far < Math.PI / 2 - 0.01) {
      const minCos = Math.cos(far);
      shape.lonK = EARTH_RADIUS_IN_METERS * Math.sqrt(shape.cosLat * minCos) * 0.9983;
    }
  } else {
    // the box's candidates that pass the height test lie within `band` of the centre's latitude
    const band = ((shape.height * shape.conversion) / 2 * 1.000001 + 0.001) / EARTH_RADIUS_IN_METERS;
    const far = Math.abs(shape.latR) + band;
    if (far < Math.PI / 2 - 0.01) shape.lonK = EARTH_RADIUS_IN_METERS * Math.cos(far) * 0.9983;
  }
  boundingBox(shape);
  const b = shape.bounds;
  const minLon = b[0];
  const minLat = b[1];
  const maxLon = b[2];
  const maxLat = b[3];
  const radiusMeters =
    (shape.type === SHAPE_CIRCLE
      ? shape.radius
      : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))) * shape.conversion;
  let steps = estimateStepsByRadius(radiusMeters, shape.lat);
  const c0 = searchCells[0];
  encode(shape.lon, shape.lat, steps, c0);
  c0.step = steps;
  setNeighbours(steps);

  // widen once when a side neighbour does not reach the bounding box
  let decrease = false;
  const n = searchCells[IDX_N];
  decodeCell(n.lat, n.lon, steps, nArea);
  if (nArea.latMax < maxLat) decrease = true;
  const s = searchCells[IDX_S];
  decodeCell(s.lat, s.lon, steps, nArea);
  if (nArea.latMin > minLat) decrease = true;
  const e = searchCells[IDX_E];
  decodeCell(e.lat, e.lon, steps, nArea);
  if (nArea.lonMax < maxLon) decrease = true;
  const w = searchCells[IDX_W];
  decodeCell(w.lat, w.lon, steps, nArea);
  if (nArea.lonMin > minLon) decrease = true;

  if (steps > 1 && decrease) {
    steps--;
    encode(shape.lon, shape.lat, steps, c0);
    c0.step = steps;
    setNeighbours(steps);
  }
  decodeCell(c0.lat, c0.lon, steps, centreArea);

  if (steps >= 2) {
    const a = centreArea;
    if (a.latMin < minLat) {
      zero(IDX_S);
      zero(IDX_SW);
      zero(IDX_SE);
    }
    if (a.latMax > maxLat) {
      zero(IDX_N);
      zero(IDX_NE);
      zero(IDX_NW);
    }
    if (a.lonMin < minLon) {
      zero(IDX_W);
      zero(IDX_SW);
      zero(IDX_NW);
    }
    if (a.lonMax > maxLon) {
      zero(IDX_E);
      zero(IDX_SE);
      zero(IDX_NE);
    }
  }
}

/**
 * Whether the point a score stands for lies in the shape; decodes it into xy
 * and sets xy[2] to its distance from the centre (meters) when it does.
 */
export function withinShape(shape: GeoShape, score: number): boolean {
  decodeScore(score);
  const x = xy[0];
  const y = xy[1];
  if (shape.type === SHAPE_CIRCLE) {
    // distance(shape.lon, shape.lat, x, y) with the centre's terms precomputed
    const limit = shape.radius * shape.conversion;
    // Quick rejection: a great circle is never shorter than its latitude
    // difference along a meridian. The margin (far above the formula's
    // rounding error) keeps every borderline point for the exact test, so
    // the outcome is always the haversine's. Only below 1000 km: the cells
    // of larger searches can hold near-antipodal points, whose haversine
    // can round to NaN, which Redis's test then lets through.
    if (limit < 1e6 && EARTH_RADIUS_IN_METERS * Math.abs(degRad(y) - shape.latR) > limit * 1.000001 + 0.001) return false;
    const lon2r = degRad(x);
    // Same for longitude: the haversine is at least
    // R * sqrt(cos(lat1) * cos(lat2)) * |sin(dlon / 2)| * 2, and for
    // |dlon| <= 0.2 the sine is at least 0.99833 * |dlon / 2|; lonK holds
    // those factors with cos(lat2) bounded below (0 when not applicable).
    const dl = lon2r - shape.lonR;
    if (dl < 0.2 && dl > -0.2 && shape.lonK * Math.abs(dl) > limit * 1.000001 + 0.001) return false;
    const v = Math.sin(dl / 2);
    let d: number;
    if (v === 0) {
      d = EARTH_RADIUS_IN_METERS * Math.abs(degRad(y) - shape.latR);
    } else {
      const lat2r = degRad(y);
      const u = Math.sin((lat2r - shape.latR) / 2);
      const a = u * u + shape.cosLat * Math.cos(lat2r) * v * v;
      d = 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
    }
    if (d > limit) return false;
    xy[2] = d;
    return true;
  }
  const w = shape.width * shape.conversion;
  const h = shape.height * shape.conversion;
  if (latDistance(y, shape.lat) > h / 2) return false;
  // quick rejection as for circles: along the point's parallel the
  // haversine is 2R * asin(cos(lat) * |sin(dlon / 2)|), at least
  // lonK * |dlon| for |dlon| <= 0.2 (lonK bounds cos(lat) from below)
  const dl = degRad(x) - shape.lonR;
  if (dl < 0.2 && dl > -0.2 && shape.lonK * Math.abs(dl) > (w / 2) * 1.000001 + 0.001) return false;
  if (distance(x, y, shape.lon, y) > w / 2) return false;
  xy[2] = distance(shape.lon, shape.lat, x, y);
  return true;
}
