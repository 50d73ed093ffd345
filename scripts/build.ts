// npm run build: a production build of the web app (npm start builds by itself when needed).
import { runBuild } from "./lib/build.ts";

await runBuild();
