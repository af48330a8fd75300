// A CIDR a stack file gives for a NetworkPolicy ipBlock (the database's and the
// trace collector's), checked the same way wherever it is read.
import { z } from "zod";
import { cidrProblem } from "./database";

export const cidrSetting = z.string().superRefine((cidr, ctx) => {
  const problem = cidrProblem(cidr);
  if (problem !== undefined) {
    ctx.addIssue({ code: "custom", message: problem, input: cidr });
  }
});
