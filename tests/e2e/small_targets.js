// The controls under a minimum size, for tests/e2e/helpers.py (small_targets).
(minimum) => {
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=switch], [tabindex]:not([tabindex="-1"])';
    const small = [];
    const visible = (el) => {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const inSentence = (el) => {
        if (el.tagName !== 'A') return false;
        const block = el.closest('p, li, dd, td, small, .form-text, figcaption, label');
        if (!block) return false;
        return block.textContent.trim().length > el.textContent.trim().length;
    };
    const name = (el) => {
        let text = (el.getAttribute('aria-label') || el.textContent || el.value || el.name || '').trim().replace(/\s+/g, ' ');
        let id = el.id ? '#' + el.id : '';
        return el.tagName.toLowerCase() + id + (el.type && el.tagName === 'INPUT' ? '[' + el.type + ']' : '') + ' "' + text.slice(0, 40) + '"';
    };
    for (const el of document.querySelectorAll(selector)) {
        if (el.disabled || !visible(el) || inSentence(el)) continue;
        if (el.classList.contains('visually-hidden-focusable')) continue;
        let box = el.getBoundingClientRect();
        if (el.labels && el.labels.length && (el.type === 'checkbox' || el.type === 'radio')) {
            // A click on the label ticks the box: the target is the box and its label together.
            let [l, t, r, b] = [box.left, box.top, box.right, box.bottom];
            for (const label of el.labels) {
                const lb = label.getBoundingClientRect();
                [l, t, r, b] = [Math.min(l, lb.left), Math.min(t, lb.top), Math.max(r, lb.right), Math.max(b, lb.bottom)];
            }
            box = {width: r - l, height: b - t};
        }
        if (box.width + 0.5 < minimum || box.height + 0.5 < minimum) {
            small.push(name(el) + ' ' + Math.round(box.width) + 'x' + Math.round(box.height));
        }
    }
    return small;
}
