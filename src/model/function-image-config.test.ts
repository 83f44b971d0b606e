import { describe, expect, it } from 'vitest';
import { effectiveRunConfig } from './function-image-config.js';

describe('effectiveRunConfig', () => {
  const image = {
    entrypoint: ['/lambda-entrypoint.sh'],
    cmd: ['app.handler'],
    workingDir: '/var/task',
  };

  it("is the image config's when the function sets nothing", () => {
    expect(effectiveRunConfig(image, undefined)).toEqual(image);
    expect(effectiveRunConfig(image, {})).toEqual(image);
  });

  it("takes each of the function's settings over the image's, independently", () => {
    expect(effectiveRunConfig(image, { command: ['other.handler'] })).toEqual({
      ...image,
      cmd: ['other.handler'],
    });
    expect(
      effectiveRunConfig(image, { entryPoint: ['/bin/run'], workingDirectory: '/srv' })
    ).toEqual({
      entrypoint: ['/bin/run'],
      cmd: ['app.handler'],
      workingDir: '/srv',
    });
  });

  it('an empty working directory is no setting; empty lists are settings', () => {
    expect(effectiveRunConfig(image, { workingDirectory: '' }).workingDir).toBe('/var/task');
    expect(effectiveRunConfig(image, { command: [] }).cmd).toEqual([]);
    expect(effectiveRunConfig({}, undefined)).toEqual({});
  });
});
