// The editor's "Browse…" window: choosing an image hands its preview address, alt text and caption
// to the editor that opened this window (django-prose-editor's file-picker protocol), then closes.
document.addEventListener("click", (event) => {
  const choice = event.target.closest("[data-pick-url]");
  if (!choice) return;
  event.preventDefault();
  const callback = document.getElementById("content-main").dataset.callback;
  const editor = window.opener && window.opener.CKEDITOR && window.opener.CKEDITOR.tools;
  if (!editor || !callback) return;
  editor.callFunction(callback, choice.dataset.pickUrl, {
    alternative_text: choice.dataset.alt,
    caption: choice.dataset.caption,
  });
  window.close();
});
