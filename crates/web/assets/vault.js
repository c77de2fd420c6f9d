// The reveal page's one behaviour: the secret shown is hidden again after 30 seconds (the
// element carrying data-hide-after says how many), so it does not stay on an unattended
// screen. Served from our own origin because the Content Security Policy forbids inline
// scripts. Without JavaScript the value stays until the page is left; the page is never cached.
for (const box of document.querySelectorAll('[data-vault-reveal]')) {
  const seconds = Number(box.dataset.hideAfter || '30')
  window.setTimeout(() => {
    box.hidden = true
    const value = box.querySelector('#secret-value')
    if (value) value.textContent = ''
    for (const note of document.querySelectorAll('[data-vault-hidden-note]')) note.hidden = false
  }, seconds * 1000)
}
