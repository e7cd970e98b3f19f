// The Excalidraw client of the tests: Excalidraw's own npm package with its React peers, bundled by
// esbuild (tests/excalidraw_client.py) into one script for a local page in headless Chromium.
import * as ExcalidrawLib from "@excalidraw/excalidraw";
import * as React from "react";
import * as ReactDOMClient from "react-dom/client";

window.ExcalidrawLib = ExcalidrawLib;
window.React = React;
window.ReactDOMClient = ReactDOMClient;
