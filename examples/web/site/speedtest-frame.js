// One frame of the speed test: loads the site's images and its video from wherever this page came from (the HTTP
// origin, or the gateway's /ipfs/CID/), times them with the Resource Timing API, and tells the parent page.
//
// Every URL carries the run's token (?run=…), so a second run measures the network again, not the browser cache.
(async () => {
  const params = new URLSearchParams(location.search);
  const run = params.get("run") || String(Date.now());
  const manifest = await (await fetch(`manifest.json?run=${run}`)).json();
  performance.clearResourceTimings();
  performance.setResourceTimingBufferSize(1000);
  const started = performance.now();

  const images = manifest.images.map((name) => new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve(true);
    image.onerror = () => resolve(false);
    image.src = `${name}?run=${run}`;
    document.getElementById("images").appendChild(image);
  }));
  // The video is fetched whole (as a player that buffers it all would), then handed to the <video> element.
  const video = fetch(`${manifest.video}?run=${run}`).then(async (response) => {
    const blob = await response.blob();
    document.getElementById("video").src = URL.createObjectURL(blob);
    return response.ok;
  }).catch(() => false);

  const decoded = (await Promise.all(images)).filter(Boolean).length;
  const videoOK = await video;
  const finished = performance.now();
  const entries = performance.getEntriesByType("resource").filter((e) => e.name.includes(`run=${run}`)
    && !e.name.includes("manifest.json"));
  const bytes = entries.reduce((sum, e) => sum + (e.encodedBodySize || 0), 0);
  const imageEntries = entries.filter((e) => !e.name.includes(manifest.video));
  const imagesEnd = Math.max(...imageEntries.map((e) => e.responseEnd));
  const videoEntry = entries.find((e) => e.name.includes(manifest.video));
  const result = {
    images: decoded,
    imagesExpected: manifest.images.length,
    video: videoOK,
    totalMs: finished - started,
    imagesMs: imagesEnd - started,
    videoMs: videoEntry ? videoEntry.responseEnd - videoEntry.startTime : null,
    firstByteMs: Math.min(...entries.map((e) => e.responseStart - e.startTime)),
    bytes,
  };
  document.getElementById("status").textContent =
    `${decoded}/${manifest.images.length} images, video ${videoOK ? "loaded" : "failed"} in ${result.totalMs.toFixed(0)} ms`;
  parent.postMessage({ speedtest: result }, "*");
})();
