// The huddle timer's phone helpers: keep the screen on while it runs, and an optional
// chime and buzz when the agenda moves on. Each is skipped where the browser lacks it.

const CUE_KEY = 'rounds.huddle-cues';

export function loadCuePreference(): boolean {
  try {
    return localStorage.getItem(CUE_KEY) === 'on';
  } catch {
    return false;
  }
}

export function saveCuePreference(on: boolean): void {
  try {
    localStorage.setItem(CUE_KEY, on ? 'on' : 'off');
  } catch {
    // Private browsing may refuse storage; the choice then lasts for this page only.
  }
}

/** Asks the browser to keep the screen on; resolves to a release function, or undefined when refused. */
export async function keepScreenAwake(onLost: () => void): Promise<(() => void) | undefined> {
  if (!('wakeLock' in navigator)) return undefined;
  try {
    const sentinel = await navigator.wakeLock.request('screen');
    sentinel.addEventListener('release', onLost);
    return () => {
      sentinel.removeEventListener('release', onLost);
      void sentinel.release();
    };
  } catch {
    // Refused (battery saver, hidden tab): the timer still runs.
    return undefined;
  }
}

let audio: AudioContext | undefined;

/** A short, soft two-note chime and a brief buzz. */
export function chimeAndVibrate(): void {
  navigator.vibrate?.(150);
  if (typeof AudioContext === 'undefined') return;
  audio ??= new AudioContext();
  const start = audio.currentTime;
  for (const [offset, frequency] of [
    [0, 660],
    [0.18, 880],
  ] as const) {
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.frequency.value = frequency;
    volume.gain.setValueAtTime(0.12, start + offset);
    volume.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.35);
    tone.connect(volume).connect(audio.destination);
    tone.start(start + offset);
    tone.stop(start + offset + 0.4);
  }
}
