// Progressive enhancement only: every page works without this file.
;(() => {
  // 长者模式: switch at once without reloading; the server remembers it in a cookie.
  for (const form of document.querySelectorAll('form[data-elder-toggle]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      const data = new URLSearchParams(new FormData(form))
      try {
        const response = await fetch(form.action, {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
          body: data,
          credentials: 'same-origin',
        })
        if (!response.ok) throw new Error(String(response.status))
        const { elder } = await response.json()
        document.documentElement.classList.toggle('elder', elder)
        const button = form.querySelector('button')
        const on = form.querySelector('input[name="on"]')
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
