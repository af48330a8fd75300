// goDurationMilliseconds: the Go durations the settings compare (WRITE_TIMEOUT
// against the statement timeout, the canary's interval against its bounds),
// read as time.ParseDuration reads them.
import { goDurationMilliseconds } from "../components/duration";

describe("goDurationMilliseconds", () => {
  it.each([
    ["0", 0],
    ["500ms", 500],
    ["10s", 10_000],
    ["12s", 12_000],
    ["2h", 7_200_000],
    ["1m30s", 90_000],
    ["1m12s", 72_000],
    ["1h2m3s", 3_723_000],
    ["1.25s", 1250],
    [".25s", 250],
    ["1m1.25s", 61_250],
    ["1m.25s", 60_250],
    ["1500us", 1.5],
    ["1500µs", 1.5],
    ["2000000ns", 2],
  ])("reads %s as %p ms", (d, ms) => {
    expect(goDurationMilliseconds(d)).toBeCloseTo(ms, 9);
  });

  it.each(["", "1", "90", "1d", "1 m", "-1s", "x10s", "10sx", "1m30", "1m.s", "s"])("refuses %p, as Go would or as a negative", (d) => {
    expect(goDurationMilliseconds(d)).toBeUndefined();
  });
});
