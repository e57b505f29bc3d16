// The scanner's persistent storage (issue 10 point 4): one IndexedDB object store of key → value, so the
// offline pack (thousands of guests) and the queue of offline scans survive a reload without the network.
// Falls back to localStorage when IndexedDB is not available (some in-app browsers, private windows).

const DB_NAME = "huodong-checkin";
const STORE = "kv";

let opening = null;

function open() {
  if (opening) return opening;
  opening = new Promise((resolve) => {
    if (!("indexedDB" in self)) {
      resolve(null);
      return;
    }
    let request;
    try {
      request = indexedDB.open(DB_NAME, 1);
    } catch (_e) {
      resolve(null);
      return;
    }
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
  });
  return opening;
}

function local(key) {
  return "huodong.checkin." + key;
}

export async function get(key) {
  const db = await open();
  if (!db) {
    const raw = localStorage.getItem(local(key));
    return raw === null ? undefined : JSON.parse(raw);
  }
  return new Promise((resolve, reject) => {
    const request = db.transaction(STORE, "readonly").objectStore(STORE).get(key);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Resolves once the value is on disk (the transaction completed): a scan is only called "queued" then.
export async function set(key, value) {
  const db = await open();
  if (!db) {
    localStorage.setItem(local(key), JSON.stringify(value));
    return;
  }
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite", { durability: "strict" });
    tx.objectStore(STORE).put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}
