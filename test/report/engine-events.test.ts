// Reading the event stream: what it keeps and what it leaves out, on events
// shaped like the recorded ones.
import { parseEngineEvents, previewOfEvents } from "../../report/engine-events";

const line = (event: Record<string, unknown>, sequence: number) => JSON.stringify({ sequence, timestamp: 1, ...event });

describe("previewOfEvents", () => {
  it("keeps errors and warnings, not the language host's debug trace or ephemeral messages", () => {
    const events = parseEngineEvents(
      [
        line({ diagnosticEvent: { prefix: "debug: ", message: "Running program '/tmp/x/index.ts'\n", color: "never", severity: "debug" } }, 1),
        line({ diagnosticEvent: { prefix: "info: ", message: "progress\n", color: "never", severity: "info", ephemeral: true } }, 2),
        line({ diagnosticEvent: { prefix: "warning: ", message: "rendered YAML will contain a secret value in plaintext\n", color: "never", severity: "warning" } }, 3),
        line({ diagnosticEvent: { prefix: "error: ", message: "preview failed\n", color: "never", severity: "error" } }, 4),
      ].join("\n"),
    );
    expect(previewOfEvents(events).diagnostics?.map((d) => d.message)).toEqual(["warning: rendered YAML will contain a secret value in plaintext\n", "error: preview failed\n"]);
  });
});
