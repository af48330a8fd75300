// ApiService declared alone under the mocks, with the options each child got
// recorded: what the component tests start from.
import { ApiService, ApiServiceArgs } from "../../components/api-service";
import { Declared, installMocks, settle } from "./mocks";
import { OptionsRecorder, recordOptions } from "./options";

export interface DeclaredApiService {
  declared: Declared[];
  api: ApiService;
  options: OptionsRecorder;
}

export async function declareApiService(args: ApiServiceArgs): Promise<DeclaredApiService> {
  const declared = await installMocks("test");
  const options = recordOptions();
  const api = new ApiService("goapi", args, { transformations: [options.transformation] });
  await settle();
  return { declared, api, options };
}
