/** The pin entry `gate` and `pin` print, or add to the policy file. */
import { addPinToPolicy } from '../pipeline/pin.js';
import type { ImagePin, Pin } from '../verify/policy/types.js';
import { imagePinEntryYaml, pinEntryYaml } from '../verify/policy/write-pin.js';
import type { CliIo } from './io.js';

/** Print the pin entry, or write it into the policy file. */
export async function emitPin(
  io: CliIo,
  policyPath: string,
  ruleIndex: number,
  pin: Pin,
  write: boolean,
  quiet = false
): Promise<void> {
  if (!write) {
    io.stdout.write(`# add to layers[${ruleIndex}].pins in ${policyPath}:\n${pinEntryYaml(pin)}`);
    return;
  }
  const { added } = await addPinToPolicy(policyPath, ruleIndex, pin);
  if (quiet) return;
  io.stderr.write(
    added
      ? `lamina: pinned sha256 ${pin.sha256} in ${policyPath} (layers[${ruleIndex}])\n`
      : `lamina: sha256 ${pin.sha256} is already pinned in ${policyPath}\n`
  );
}

/** Print the image pin entry, or write it into `images[ruleIndex].pins` of the policy file. */
export async function emitImagePin(
  io: CliIo,
  policyPath: string,
  ruleIndex: number,
  pin: ImagePin & { digest: string },
  write: boolean
): Promise<void> {
  if (!write) {
    io.stdout.write(
      `# add to images[${ruleIndex}].pins in ${policyPath}:\n${imagePinEntryYaml(pin)}`
    );
    return;
  }
  // The image pipeline loads for an image pin only: a layer's gate or pin needs none of it.
  const { addImagePinToPolicy } = await import('../pipeline/verify-image.js');
  const { added } = await addImagePinToPolicy(policyPath, ruleIndex, pin);
  io.stderr.write(
    added
      ? `lamina: pinned ${pin.digest} in ${policyPath} (images[${ruleIndex}])\n`
      : `lamina: ${pin.digest} is already pinned in ${policyPath}\n`
  );
}
