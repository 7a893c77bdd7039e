// `import "@onebit/native/register"`: registers the native kernels with @onebit/bitops on import.
import { registerNativeBackend } from "./index.js";

registerNativeBackend();
