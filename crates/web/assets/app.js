// Custodian's only page script, served from our own origin because the Content Security Policy
// forbids inline scripts. Every page works without it; it only adds conveniences:
// - starts GOV.UK Frontend's components (menu toggle, skip link, error summary, ...);
// - <button data-copy-target="ID"> copies the text of element ID to the clipboard
//   (give such buttons the `hidden` attribute: this script shows them, as they need it);
// - <form data-confirm="Question?"> asks the question before the form is sent.
// - <p data-print hidden> holds a button that prints the page (the reports).
import { initAll } from '/assets/govuk-frontend.min.js'

// GOV.UK Frontend's template sets these classes with an inline script, which our CSP forbids.
// Module scripts only run in browsers that GOV.UK Frontend supports, so this is the same test.
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// One polite live region, so screen reader users hear that a copy worked (or did not).
let status = null
function announce (message) {
  if (!status) {
    status = document.createElement('div')
    status.className = 'govuk-visually-hidden'
    status.setAttribute('role', 'status')
    document.body.appendChild(status)
  }
  status.textContent = ''
  window.setTimeout(() => { status.textContent = message }, 50)
}

function textOf (element) {
  if ('value' in element && typeof element.value === 'string') return element.value
  return element.textContent.trim()
}

async function copy (button) {
  const target = document.getElementById(button.dataset.copyTarget)
  if (!target) return
  const text = textOf(target)
  const label = button.textContent
  try {
    await navigator.clipboard.writeText(text)
    button.textContent = 'Copied'
    announce('Copied to the clipboard')
    window.setTimeout(() => { button.textContent = label }, 2000)
  } catch {
    // No clipboard access (for example over plain http): select the text so the person can
    // copy it themselves.
    const range = document.createRange()
    range.selectNodeContents(target)
    const selection = window.getSelection()
    selection.removeAllRanges()
    selection.addRange(range)
    announce('Could not copy automatically. The text is selected: press Control and C to copy it.')
  }
}

for (const button of document.querySelectorAll('button[data-copy-target]')) {
  button.hidden = false
  button.addEventListener('click', (event) => {
    event.preventDefault()
    copy(button)
  })
}

// <p data-print hidden><button>…</button></p>: shown, its button prints the page (the print
// styles leave off menus, forms and buttons). Hidden without this script, which it needs.
for (const area of document.querySelectorAll('[data-print]')) {
  const button = area.querySelector('button')
  if (!button) continue
  area.hidden = false
  button.addEventListener('click', () => window.print())
}

document.addEventListener('submit', (event) => {
  const form = event.target
  if (!(form instanceof HTMLFormElement)) return
  const question = form.dataset.confirm
  if (question && !window.confirm(question)) {
    event.preventDefault()
  }
})
