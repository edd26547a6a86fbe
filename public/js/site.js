// Progressive enhancement only: every page works without this file.
;(() => {
  // 长者模式: switch at once without reloading; the server remembers it in a cookie. Posted as JSON
  // (which no other site can send here), so it works from the GET form of a page kept for every
  // visitor, which carries no CSRF token, as from the POST form of a logged-in page.
  for (const form of document.querySelectorAll('form[data-elder-toggle]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      const on = form.querySelector('input[name="on"]')
      try {
        const response = await fetch(form.action, {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ on: on ? on.value : '1' }),
          credentials: 'same-origin',
        })
        if (!response.ok) throw new Error(String(response.status))
        const { elder } = await response.json()
        document.documentElement.classList.toggle('elder', elder)
        const button = form.querySelector('button')
        if (button) {
          button.textContent = elder ? '退出长者模式' : '长者模式'
          button.setAttribute('aria-pressed', elder ? 'true' : 'false')
        }
        if (on) on.value = elder ? '0' : '1'
      } catch {
        form.submit()
      }
    })
  }

  // Idle warning (SECURITY.md): two minutes before a logged-in session would end for inactivity,
  // ask whether to stay; staying pings the server, which slides the deadline.
  const idleMs = Number(document.body.dataset.idleMs)
  if (idleMs > 0) {
    const warnBefore = Math.min(2 * 60_000, idleMs / 2)
    let warnTimer
    let endTimer
    let box
    const csrf = document.querySelector('input[name="_csrf"]')
    const schedule = () => {
      clearTimeout(warnTimer)
      clearTimeout(endTimer)
      warnTimer = setTimeout(warn, idleMs - warnBefore)
      endTimer = setTimeout(() => {
        window.location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`)
      }, idleMs + 1000)
    }
    const close = () => {
      if (box) box.remove()
      box = undefined
    }
    const stay = async () => {
      close()
      try {
        const response = await fetch('/api/session/keepalive', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf ? csrf.value : '' },
          body: '{}',
          credentials: 'same-origin',
        })
        if (response.ok) schedule()
      } catch {
        // offline: the warning will come back
      }
    }
    const warn = () => {
      box = document.createElement('div')
      box.className = 'idle-warning'
      box.setAttribute('role', 'alertdialog')
      box.setAttribute('aria-modal', 'true')
      box.setAttribute('aria-labelledby', 'idle-warning-title')
      const title = document.createElement('h2')
      title.id = 'idle-warning-title'
      title.className = 'heading-m'
      title.textContent = `您已有一段时间没有操作，${Math.round(warnBefore / 60_000)} 分钟后将自动退出登录`
      const text = document.createElement('p')
      text.textContent = '为保护您的信息安全，长时间不操作会自动退出。点「继续使用」即可保持登录。'
      const keep = document.createElement('button')
      keep.type = 'button'
      keep.className = 'button button--primary'
      keep.textContent = '继续使用'
      keep.addEventListener('click', stay)
      box.append(title, text, keep)
      document.body.append(box)
      keep.focus()
    }
    schedule()
  }

  // Move focus to the error summary after a failed submission, so screen readers read it first.
  const summary = document.querySelector('[data-autofocus]')
  if (summary instanceof HTMLElement) summary.focus()
})()

// Application forms: parts marked data-show-if (a JSON condition on input names) are hidden while
// their condition does not hold. Without this script they all stay visible, each with a sentence
// saying when to fill it in, and the server ignores answers to parts that do not apply.
;(() => {
  const parts = document.querySelectorAll('[data-show-if]')
  if (parts.length === 0) return
  const answers = (form, name) => {
    const out = []
    for (const el of form.elements) {
      if (el.name !== name || el.closest('[hidden]')) continue
      if ((el.type === 'radio' || el.type === 'checkbox') && !el.checked) continue
      const value = el.value.trim()
      if (value !== '') out.push(value)
    }
    return out
  }
  const passes = (form, test) => {
    const given = answers(form, test.name)
    return test.equals ? given.some((v) => test.equals.includes(v)) : given.length > 0
  }
  // An answer inside a hidden part does not count (as on the server), so repeat until it settles.
  const update = () => {
    for (let round = 0; round < 5; round++) {
      let changed = false
      for (const part of parts) {
        const form = part.closest('form')
        if (!form) continue
        let condition
        try {
          condition = JSON.parse(part.dataset.showIf)
        } catch {
          continue
        }
        const holds = condition.any
          ? condition.any.some((t) => passes(form, t))
          : (condition.all || []).every((t) => passes(form, t))
        if (part.hidden !== !holds) {
          part.hidden = !holds
          changed = true
        }
      }
      if (!changed) break
    }
  }
  document.addEventListener('change', update)
  document.addEventListener('input', update)
  update()
})()

// Search type-ahead, the WAI-ARIA combobox pattern: suggestions from /api/search/suggest under
// the search box; ↑/↓ move, Enter opens the chosen guide, Escape closes. Without this script the
// form simply submits to /search. Requests wait for a pause in typing and answers are remembered,
// so fast typists stay far below the rate limit.
;(() => {
  for (const input of document.querySelectorAll('input[data-suggest]')) {
    const endpoint = input.dataset.suggest
    const row = input.parentElement
    if (!endpoint || !row) continue
    const listId = `${input.id || 'search'}-suggestions`
    const list = document.createElement('ul')
    list.id = listId
    list.className = 'suggest'
    list.setAttribute('role', 'listbox')
    list.setAttribute('aria-label', '搜索提示')
    list.hidden = true
    const status = document.createElement('div')
    status.className = 'visually-hidden'
    status.setAttribute('role', 'status')
    row.append(list, status)
    input.setAttribute('role', 'combobox')
    input.setAttribute('aria-autocomplete', 'list')
    input.setAttribute('aria-expanded', 'false')
    input.setAttribute('aria-controls', listId)

    let options = []
    let active = -1
    let timer
    const cache = new Map()

    const setActive = (index) => {
      active = index
      const items = list.children
      for (let i = 0; i < items.length; i++) items[i].setAttribute('aria-selected', i === index ? 'true' : 'false')
      if (index >= 0 && items[index]) {
        input.setAttribute('aria-activedescendant', items[index].id)
        items[index].scrollIntoView({ block: 'nearest' })
      } else {
        input.removeAttribute('aria-activedescendant')
      }
    }
    const open = () => {
      if (options.length === 0) return
      list.hidden = false
      input.setAttribute('aria-expanded', 'true')
    }
    const close = () => {
      list.hidden = true
      input.setAttribute('aria-expanded', 'false')
      setActive(-1)
    }
    const go = (index) => {
      const option = options[index]
      if (option) window.location.assign(option.url)
    }
    const render = (suggestions) => {
      options = suggestions
      list.replaceChildren()
      suggestions.forEach((s, i) => {
        const li = document.createElement('li')
        li.id = `${listId}-${i}`
        li.className = 'suggest__option'
        li.setAttribute('role', 'option')
        li.setAttribute('aria-selected', 'false')
        li.textContent = s.title
        // Keep the focus in the input while the pointer picks an option.
        li.addEventListener('mousedown', (event) => event.preventDefault())
        li.addEventListener('click', () => go(i))
        list.append(li)
      })
      setActive(-1)
      if (suggestions.length === 0) {
        close()
        status.textContent = ''
        return
      }
      open()
      status.textContent = `有 ${suggestions.length} 条提示，按上下方向键选择，按回车打开`
    }
    const load = async () => {
      const q = input.value.trim()
      if (!q) return render([])
      if (cache.has(q)) return render(cache.get(q))
      try {
        const response = await fetch(`${endpoint}?q=${encodeURIComponent(q)}`, {
          headers: { accept: 'application/json' },
          credentials: 'same-origin',
        })
        // Busy (429) or failing: say nothing, the form still searches.
        if (!response.ok) return
        const body = await response.json()
        const suggestions = Array.isArray(body.suggestions) ? body.suggestions : []
        cache.set(q, suggestions)
        // An answer to an earlier text than what is in the box now is dropped.
        if (input.value.trim() === q && document.activeElement === input) render(suggestions)
      } catch {
        // offline: no suggestions
      }
    }
    input.addEventListener('input', () => {
      clearTimeout(timer)
      timer = setTimeout(load, 200)
    })
    input.addEventListener('keydown', (event) => {
      const shown = !list.hidden && options.length > 0
      if (event.key === 'ArrowDown') {
        if (options.length === 0) return
        event.preventDefault()
        open()
        setActive((active + 1) % options.length)
      } else if (event.key === 'ArrowUp') {
        if (!shown) return
        event.preventDefault()
        setActive(active <= 0 ? options.length - 1 : active - 1)
      } else if (event.key === 'Enter') {
        if (shown && active >= 0) {
          event.preventDefault()
          go(active)
        }
      } else if (event.key === 'Escape') {
        if (shown) {
          event.preventDefault()
          close()
        }
      }
    })
    input.addEventListener('blur', close)
    // Submitting leaves the page: no suggestion request should start now.
    input.form?.addEventListener('submit', () => clearTimeout(timer))
  }

  // 打印本页 on the print version of a guide (hidden without this script: Ctrl+P is explained).
  for (const button of document.querySelectorAll('[data-print]')) {
    button.hidden = false
    button.addEventListener('click', () => window.print())
  }
})()

// Application forms: save the draft in the background while the person types (SECURITY.md: keep
// what the person typed), 2 seconds after the last change, and say when it was saved. Only the
// typed answers go this way; files are uploaded by the form's own buttons. Without this script
// 「保存草稿」 does the same.
;(() => {
  const form = document.querySelector('form[data-autosave]')
  if (!(form instanceof HTMLFormElement)) return
  const url = form.dataset.autosave
  const status = form.querySelector('[data-autosave-status]')
  const csrf = form.querySelector('input[name="_csrf"]')
  let timer
  let submitting = false
  const say = (text) => {
    if (status) status.textContent = text
  }
  const fields = () => {
    const out = {}
    for (const [name, value] of new FormData(form)) {
      if (typeof value !== 'string' || name === '_csrf' || name === '_action' || name.startsWith('materials.')) continue
      if (!out[name]) out[name] = []
      out[name].push(value)
    }
    return out
  }
  const save = async () => {
    if (submitting) return
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          'x-csrf-token': csrf ? csrf.value : '',
        },
        body: JSON.stringify({ fields: fields() }),
        credentials: 'same-origin',
      })
      if (!response.ok) throw new Error(String(response.status))
      const body = await response.json()
      say(`已自动保存 ${body.savedAtText}`)
    } catch {
      say('自动保存未成功，请点「保存草稿」保存。')
    }
  }
  const schedule = (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === 'file') return
    clearTimeout(timer)
    timer = setTimeout(save, 2000)
  }
  form.addEventListener('input', schedule)
  form.addEventListener('change', schedule)
  form.addEventListener('submit', () => {
    submitting = true
    clearTimeout(timer)
  })
})()

// A second click on 「提交申请」 while the first is on its way sends nothing more (the server gives
// one application for one form anyway: the form token is the idempotency key).
;(() => {
  for (const button of document.querySelectorAll('button[data-prevent-double-click]')) {
    const form = button.form
    if (!form) continue
    let sent = false
    form.addEventListener('submit', (event) => {
      if (sent) {
        event.preventDefault()
        return
      }
      sent = true
      setTimeout(() => {
        sent = false
      }, 5000)
    })
  }
})()

// 导入存量证照: the job page polls its status and moves the progress bar; reloads when it ends.
;(() => {
  const box = document.querySelector('[data-import-status]')
  if (!box) return
  const url = box.getAttribute('data-import-status')
  const bar = box.querySelector('progress')
  const text = box.querySelector('.import-progress__text')
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      if (response.ok) {
        const s = await response.json()
        if (bar) bar.value = s.percent
        if (text)
          text.textContent = s.processedRows > 0 ? `${s.label}：${s.processedRows} / ${s.totalRows}` : `${s.label}……`
        if (s.state === 'done' || s.state === 'failed') {
          window.location.reload()
          return
        }
      }
    } catch {
      // A busy server answers later; keep polling.
    }
    setTimeout(poll, 1000)
  }
  setTimeout(poll, 500)
})()

// Installable web app: the service worker shows an offline page when the network is gone.
;(() => {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // without it the site works as before, only without the offline page
    })
  })
})()

// 自助终端 (kiosk): after a while without a touch, a countdown; then the session is ended on the
// server, everything the browser keeps for this site is cleared and the start page comes back.
// While someone is using it, the server is told now and then (it ends stale sessions by itself).
;(() => {
  const idleMs = Number(document.body.dataset.kioskIdleMs)
  if (!(idleMs > 0)) return
  const warnMs = Number(document.body.dataset.kioskWarnMs) || Math.floor(idleMs / 2)
  const endForm = document.querySelector('form[data-kiosk-end]')
  const csrfInput = endForm ? endForm.querySelector('input[name="_csrf"]') : null
  let last = Date.now()
  let lastPing = Date.now()
  let box
  let ticker
  let ending = false

  const clearLocal = () => {
    try {
      localStorage.clear()
      sessionStorage.clear()
    } catch {
      // storage may be disabled; nothing to clear then
    }
  }
  const end = async (reason) => {
    if (ending) return
    ending = true
    clearLocal()
    const body = new URLSearchParams()
    body.set('_csrf', csrfInput ? csrfInput.value : '')
    if (reason === 'idle') body.set('reason', 'idle')
    try {
      const response = await fetch('/kiosk/end', {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body,
        credentials: 'same-origin',
      })
      await response.text()
    } catch {
      // offline: the server ends the stale session at the next request anyway
    }
    clearLocal()
    window.location.replace(reason === 'idle' ? '/kiosk?ended=idle' : '/kiosk?ended=done')
  }
  const closeWarning = () => {
    clearInterval(ticker)
    if (box) box.remove()
    box = undefined
  }
  const activity = () => {
    if (ending) return
    last = Date.now()
    if (box) closeWarning()
    if (last - lastPing > idleMs / 3) {
      lastPing = last
      fetch('/kiosk/alive', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        credentials: 'same-origin',
      }).catch(() => {})
    }
  }
  const warn = () => {
    box = document.createElement('div')
    box.className = 'idle-warning kiosk-warning'
    box.setAttribute('role', 'alertdialog')
    box.setAttribute('aria-modal', 'true')
    box.setAttribute('aria-labelledby', 'kiosk-warning-title')
    box.setAttribute('aria-describedby', 'kiosk-warning-text')
    const title = document.createElement('h2')
    title.id = 'kiosk-warning-title'
    title.className = 'heading-m'
    const text = document.createElement('p')
    text.id = 'kiosk-warning-text'
    text.textContent = '为保护您的信息，无人操作时将自动退出并清除本机上的信息。'
    const keep = document.createElement('button')
    keep.type = 'button'
    keep.className = 'button button--primary'
    keep.textContent = '我还在使用'
    keep.addEventListener('click', activity)
    const quit = document.createElement('button')
    quit.type = 'button'
    quit.className = 'button button--secondary'
    quit.textContent = '现在退出'
    quit.addEventListener('click', () => end('done'))
    box.append(title, text, keep, quit)
    document.body.append(box)
    const update = () => {
      const left = Math.max(0, Math.ceil((last + idleMs - Date.now()) / 1000))
      title.textContent = `${left} 秒后将自动退出`
      title.dataset.secondsLeft = String(left)
    }
    update()
    ticker = setInterval(update, 1000)
    keep.focus()
  }
  for (const type of ['pointerdown', 'keydown', 'input', 'touchstart', 'wheel']) {
    document.addEventListener(type, activity, { capture: true, passive: true })
  }
  setInterval(() => {
    if (ending) return
    const idle = Date.now() - last
    // nobody logged in and already on the start page: only the browser's storage to forget
    if (idle >= idleMs && !document.body.dataset.kioskUser && location.pathname === '/kiosk') {
      clearLocal()
      last = Date.now()
      return
    }
    if (idle >= idleMs) end('idle')
    else if (idle >= idleMs - warnMs && !box) warn()
  }, 250)
  if (endForm) {
    endForm.addEventListener('submit', (event) => {
      event.preventDefault()
      end('done')
    })
  }
})()
