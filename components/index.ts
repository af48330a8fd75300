// The building blocks of the program, for index.ts and the tests.
export * from "./api-service";
export * from "./build-info";
export * from "./cluster";
export * from "./image";
export * from "./settings";
