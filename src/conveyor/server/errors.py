"""Every error the API answers is JSON `{"message": ...}` with a 4xx status (docs/api.md).

HTTPException keeps its status; a request FastAPI cannot validate is 422 naming the field; a
ConveyorError a handler did not map is 400 (NotFound 404, ReviewRefused 403)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from conveyor.errors import ConveyorError, NotFound, ReviewRefused
from conveyor.server.forge_api.errors import github_error_body


class ErrorBody(BaseModel):
    message: str


# For `responses=` of routes: the error statuses every API endpoint may answer.
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 422)
}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(ConveyorError, _conveyor_error)  # type: ignore[arg-type]


def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    detail: object = exc.detail
    if isinstance(detail, dict):  # a whole body, e.g. GitHub's error shape under /api/v3
        return JSONResponse(detail, exc.status_code, headers=exc.headers)
    return JSONResponse({"message": str(exc.detail)}, exc.status_code, headers=exc.headers)


def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [_describe(error) for error in exc.errors()]
    if request.url.path.startswith("/api/v3/"):  # the local forge answers as GitHub does
        if any(tuple(error.get("loc", ()))[:1] == ("body",) for error in exc.errors()):
            return JSONResponse(github_error_body("Problems parsing JSON"), 400)
        return JSONResponse(github_error_body("Not Found"), 404)
    return JSONResponse({"message": "; ".join(problems) or "invalid request"}, 422)


def _describe(error: object) -> str:
    details = error if isinstance(error, dict) else {}
    where = ".".join(str(part) for part in details.get("loc", ()))
    return f"{where}: {details.get('msg', 'invalid')}"


def _conveyor_error(request: Request, exc: ConveyorError) -> JSONResponse:
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, ReviewRefused) else 400
    return JSONResponse({"message": str(exc)}, status)
