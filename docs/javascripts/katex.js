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
  typesetTableOfContents(root);
}

// A heading's formula reaches the tables of contents (the page's and the site's navigation)
// as plain text, \(\sqrt d\): each such piece of a link's text is typeset in place.
function typesetTableOfContents(root) {
  for (const link of root.querySelectorAll(".md-nav__link")) {
    const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walker.nextNode()) {
      if (walker.currentNode.nodeValue.includes("\\(")) texts.push(walker.currentNode);
    }
    for (const text of texts) {
      const pieces = text.nodeValue.split(/\\\((.+?)\\\)/); // text, formula, text, ...
      const replacement = document.createDocumentFragment();
      pieces.forEach((piece, i) => {
        if (i % 2 === 0) {
          replacement.append(piece);
        } else {
          const formula = document.createElement("span");
          katex.render(piece, formula, { throwOnError: false });
          replacement.append(formula);
        }
      });
      text.replaceWith(replacement);
    }
  }
}

// Material for MkDocs announces every page it shows (also with instant navigation) on document$.
if (typeof document$ !== "undefined") {
  document$.subscribe(({ body }) => typesetMath(body));
} else {
  document.addEventListener("DOMContentLoaded", () => typesetMath(document.body));
}
