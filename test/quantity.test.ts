// parseQuantity: the Kubernetes resource quantities the settings validate and
// compare (a request above its limit), in the unsigned forms the API server reads.
import { parseQuantity } from "../components/quantity";

describe("parseQuantity", () => {
  it.each([
    ["1", 1],
    ["12", 12],
    ["1.5", 1.5],
    ["1.25", 1.25],
    [".5", 0.5],
    [".25", 0.25],
    ["250m", 0.25],
    ["2k", 2e3],
    ["2M", 2e6],
    ["2G", 2e9],
    ["2T", 2e12],
    ["2P", 2e15],
    ["2E", 2e18],
    ["2Ki", 2 * 1024],
    ["128Mi", 128 * 1024 ** 2],
    ["1.5Gi", 1.5 * 1024 ** 3],
    ["2Ti", 2 * 1024 ** 4],
    ["2Pi", 2 * 1024 ** 5],
    ["2Ei", 2 * 1024 ** 6],
    ["2e3", 2000],
    ["2E3", 2000],
    ["2e+3", 2000],
    ["25e-3", 0.025],
    ["1e12", 1e12],
  ])("reads %s as %p", (q, value) => {
    expect(parseQuantity(q)).toBeCloseTo(value, 9);
  });

  it.each(["", "Mi", "-1", "+1", "1 Mi", "1Mb", "1ki", "1KB", "x1", "1x", "1e", "1e3Mi", "1.2.3", "."])("refuses %p", (q) => {
    expect(parseQuantity(q)).toBeUndefined();
  });
});
