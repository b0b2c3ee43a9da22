/** @module config: the configuration file: schema, loading with every problem listed, docs. */
export { ConfigSchema, type Config, type ConfigFile, type Secret } from './schema.ts';
export {
  loadConfig,
  checkConfig,
  resolveConfigFile,
  DEFAULT_CONFIG_FILE,
  type LoadedConfig,
  type LoadResult,
  type LoadOptions,
  type ConfigError,
  type ConfigProblem,
  type ConfigCode,
} from './load.ts';
export { configDoc, configJsonSchema, GENERATED_HEADER } from './docs.ts';
