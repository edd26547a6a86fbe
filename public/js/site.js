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

  // Move focus to the error summary after a failed submission, so screen readers read it first.
  const summary = document.querySelector('[data-autofocus]')
  if (summary instanceof HTMLElement) summary.focus()
})()
