// The receipt's print button (a static file: receipts allow no inline script).
"use strict";
document.getElementById("print").addEventListener("click", () => window.print());
