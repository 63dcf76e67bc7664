// Resamples a voice's one-shots to a tune off the main thread (the scheduler and the UI never
// wait for it): {id, shots[l][r], tune} in, {id, shots} out (see tune.js).
import { tuneShots } from "./tune.js";

self.onmessage = ({ data }) => {
  const shots = tuneShots(data.shots, data.tune);
  self.postMessage({ id: data.id, shots }, shots.flat().map((x) => x.buffer));
};
