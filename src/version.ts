/** simctl's version, written into every output's metadata. Keep in step with package.json. */
export const VERSION = "0.1.0";
