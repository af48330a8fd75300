// The building blocks of the program, for index.ts and the tests.
export * from "./api-service";
export * from "./app-source";
export * from "./cluster";
export * from "./image";
export * from "./image-args";
export * from "./monitoring";
export * from "./settings";
export * from "./tracing";
