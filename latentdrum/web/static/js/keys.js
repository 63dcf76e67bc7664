// The keyboard of the instrument: Space plays/stops wherever the focus is (but in a text field),
// Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y undo and redo, 1-9 pick a voice, A auditions, M mutes, F plays a
// fill, B switches Map/Blend, ? lists them all (the #help dialog; Esc closes it).

const TEXT_TYPES = new Set(["text", "search", "email", "url", "password", "tel"]);

// Where a key is typing, not playing: text fields and editable content (a number field is not:
// it takes digits only, and Space there sets the tempo typed so far and plays), and whatever sits
// in a [data-own-keys] box (the import questions: their tempo field and class list keep every key).
function typing(el) {
  if (!el) return false;
  const tag = (el.tagName || "").toLowerCase();
  return tag === "textarea" || el.isContentEditable || (tag === "input" && TEXT_TYPES.has(el.type))
    || Boolean(el.closest && el.closest("[data-own-keys]"));
}

export function setupKeys(actions) {
  const help = document.getElementById("help");
  const open = () => { if (!help.open) help.showModal(); };
  document.getElementById("help-open").addEventListener("click", open);
  document.addEventListener("keyup", (e) => { if (e.code === "Space" && !typing(e.target)) e.preventDefault(); });
  document.addEventListener("keydown", (e) => {
    if (typing(e.target)) return;
    if (e.code === "Space") {
      // On a focused button Space would also click it, on a select open it: play instead.
      e.preventDefault();
      if (e.target.type === "number") e.target.blur();  // sets the tempo typed (change event)
      if (!e.repeat) actions.togglePlay();
      return;
    }
    if (e.ctrlKey || e.metaKey) {
      const k = e.key.toLowerCase();
      if (k === "z") { e.preventDefault(); (e.shiftKey ? actions.redo : actions.undo)(); } else if (k === "y") { e.preventDefault(); actions.redo(); }
      return;
    }
    if (e.altKey) return;
    if (e.key === "?") { e.preventDefault(); if (help.open) help.close(); else open(); return; }
    if (help.open || e.target.type === "number") return;
    if (/^[1-9]$/.test(e.key)) { actions.voice(Number(e.key) - 1); return; }
    const act = { a: actions.audition, m: actions.mute, f: actions.fill, b: actions.blend }[e.key.toLowerCase()];
    if (act && !e.shiftKey) { e.preventDefault(); act(); }
  });
}
