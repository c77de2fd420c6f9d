// Passkeys (WebAuthn) for Custodian: adding one on "Your passkeys" and using one to finish
// signing in. Served from Custodian's own origin because the Content Security Policy forbids
// inline scripts. The server keeps each challenge and checks every answer; this script only
// converts between JSON (base64url text) and the ArrayBuffers of the browser's WebAuthn API,
// and shows the server's plain-words messages.
//
// Elements that need this script carry the `hidden` attribute and are shown only when the
// browser supports passkeys; elements marked `data-passkey-unsupported` say what to do instead
// and are hidden when it does.

const supported = typeof window.PublicKeyCredential === 'function' &&
  !!navigator.credentials && typeof navigator.credentials.create === 'function'

function fromBase64url (text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes.buffer
}

function toBase64url (buffer) {
  const bytes = new Uint8Array(buffer)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function csrfToken () {
  const input = document.querySelector('input[name="csrf_token"]')
  return input ? input.value : ''
}

// Posts JSON with the CSRF token in a header. Follows `{"redirect": ...}`; throws an Error
// carrying the server's message for `{"error": ...}`.
async function post (path, body) {
  let response
  try {
    response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      // A redirect here means the session has ended: treat it as a failure, not a page.
      redirect: 'error',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-csrf-token': csrfToken()
      },
      body: JSON.stringify(body)
    })
  } catch {
    throw new Error('Custodian could not be reached, or you have been signed out. Refresh the page and try again.')
  }
  let data = null
  try {
    data = await response.json()
  } catch {
    data = null
  }
  if (data && data.redirect) {
    window.location.assign(data.redirect)
    return null
  }
  if (!response.ok || !data) {
    throw new Error((data && data.error) || 'Something went wrong. Refresh the page and try again.')
  }
  return data
}

function creationOptions (json) {
  const options = json.publicKey
  options.challenge = fromBase64url(options.challenge)
  options.user.id = fromBase64url(options.user.id)
  for (const credential of options.excludeCredentials || []) {
    credential.id = fromBase64url(credential.id)
  }
  return options
}

function requestOptions (json) {
  const options = json.publicKey
  options.challenge = fromBase64url(options.challenge)
  for (const credential of options.allowCredentials || []) {
    credential.id = fromBase64url(credential.id)
  }
  return options
}

function registrationJson (credential) {
  const response = credential.response
  const extensions = credential.getClientExtensionResults()
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toBase64url(response.attestationObject),
      clientDataJSON: toBase64url(response.clientDataJSON),
      transports: typeof response.getTransports === 'function' ? response.getTransports() : null
    },
    // Only what Custodian reads: other browser extension results are not needed.
    extensions: extensions.credProps ? { credProps: extensions.credProps } : {}
  }
}

function assertionJson (credential) {
  const response = credential.response
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: toBase64url(response.authenticatorData),
      clientDataJSON: toBase64url(response.clientDataJSON),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : null
    },
    extensions: {}
  }
}

// The browser's own errors, in words for the person at the keyboard.
function browserMessage (error) {
  if (error && error.name === 'NotAllowedError') {
    return 'The passkey request was cancelled or timed out. Try again when you are ready.'
  }
  if (error && error.name === 'InvalidStateError') {
    return 'This device already has a passkey for your Custodian account.'
  }
  if (error && error.name === 'SecurityError') {
    return 'Your browser refused to use a passkey at this address. Use an authenticator app instead, or ask your IT provider.'
  }
  return (error && error.message) || 'Something went wrong. Refresh the page and try again.'
}

function showError (message) {
  const summary = document.getElementById('passkey-error')
  const text = document.getElementById('passkey-error-message')
  if (!summary || !text) {
    window.alert(message)
    return
  }
  text.textContent = message
  summary.hidden = false
  summary.focus()
}

function clearError () {
  const summary = document.getElementById('passkey-error')
  if (summary) summary.hidden = true
}

async function addPasskey (form, button) {
  clearError()
  const nameInput = form.querySelector('input[name="name"]')
  const name = nameInput ? nameInput.value.trim() : ''
  if (!name) {
    showError('Enter a name for this passkey, such as the device it is on')
    return
  }
  button.disabled = true
  try {
    const options = await post('/account/passkeys/register/start', { name })
    if (!options) return
    let credential
    try {
      credential = await navigator.credentials.create({ publicKey: creationOptions(options) })
    } catch (error) {
      throw new Error(browserMessage(error))
    }
    await post('/account/passkeys/register/finish', { name, credential: registrationJson(credential) })
  } catch (error) {
    showError(browserMessage(error))
  } finally {
    button.disabled = false
  }
}

async function signInWithPasskey (button) {
  clearError()
  button.disabled = true
  try {
    const options = await post('/sign-in/mfa/passkey/start', {})
    if (!options) return
    let credential
    try {
      credential = await navigator.credentials.get({ publicKey: requestOptions(options) })
    } catch (error) {
      throw new Error(browserMessage(error))
    }
    await post('/sign-in/mfa/passkey/finish', { credential: assertionJson(credential) })
  } catch (error) {
    showError(browserMessage(error))
  } finally {
    button.disabled = false
  }
}

if (supported) {
  for (const element of document.querySelectorAll('[data-passkey-js]')) element.hidden = false
  for (const element of document.querySelectorAll('[data-passkey-unsupported]')) element.hidden = true

  const form = document.getElementById('passkey-add-form')
  if (form) {
    const button = form.querySelector('button[type="submit"]')
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      addPasskey(form, button)
    })
  }

  const signIn = document.getElementById('passkey-sign-in')
  if (signIn) {
    signIn.addEventListener('click', (event) => {
      event.preventDefault()
      signInWithPasskey(signIn)
    })
  }
}
