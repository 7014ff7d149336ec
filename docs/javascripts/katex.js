// Typesets the pages' maths with the KaTeX copy in javascripts/katex/ (no network needed).
// pymdownx.arithmatex (generic mode) leaves each formula as the text \(...\) or \[...\] inside
// an element of class "arithmatex"; this replaces that text with KaTeX's rendering.
function typesetMath(root) {
  for (const element of root.querySelectorAll(".arithmatex")) {
    const text = element.textContent.trim();
    const display = text.startsWith("\\[");
    katex.render(text.slice(2, -2), element, {
      displayMode: display,
      throwOnError: false, // a formula KaTeX cannot read shows in red, with its message
    });
  }
}

// Material for MkDocs announces every page it shows (also with instant navigation) on document$.
if (typeof document$ !== "undefined") {
  document$.subscribe(({ body }) => typesetMath(body));
} else {
  document.addEventListener("DOMContentLoaded", () => typesetMath(document.body));
}
