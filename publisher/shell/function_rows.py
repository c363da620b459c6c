"""The function operations of each kind, as a table: one row names the API's operations, how a
function is addressed and the fields its code, config, summary, listing and test travel in.
`shell/aws.py` reads the row of the kind it is asked for and never branches on the kind.

The viewer row is the *Function operations (botocore's `cloudfront` model, 2020-05-31). The
connection row is the *ConnectionFunction operations of the same model (botocore 1.41.3 and later):
writes take the function's `Id`, reads an `Identifier`, the listing is a POST whose Marker, MaxItems
and Stage travel in the body, and its answer lists summaries at the top level.
"""

from __future__ import annotations

from dataclasses import dataclass

from publisher.core.modes import Kind


@dataclass(frozen=True)
class FunctionRow:
    list: str
    get: str
    describe: str
    create: str
    update: str
    publish: str
    test: str
    delete: str
    read_key: str  # how a read names the function: Name, or Identifier (the Id)
    write_key: str  # how a write names it: Name, or Id
    code: str
    config: str
    summary: str
    items: tuple[str, ...]  # where a listing's summaries are
    next_marker: tuple[str, ...]  # where a listing's NextMarker is
    max_items: str | int  # the page size, typed as the model types it
    arn: tuple[str, ...]  # where a summary's ARN is
    modified: tuple[str, ...]  # where a summary's LastModifiedTime is
    test_input: str
    test_result: str
    test_error: str
    test_output: str
    test_logs: str


ROWS: dict[Kind, FunctionRow] = {
    Kind.FUNCTION: FunctionRow(
        list="ListFunctions",
        get="GetFunction",
        describe="DescribeFunction",
        create="CreateFunction",
        update="UpdateFunction",
        publish="PublishFunction",
        test="TestFunction",
        delete="DeleteFunction",
        read_key="Name",
        write_key="Name",
        code="FunctionCode",
        config="FunctionConfig",
        summary="FunctionSummary",
        items=("FunctionList", "Items"),
        next_marker=("FunctionList", "NextMarker"),
        max_items="100",
        arn=("FunctionMetadata", "FunctionARN"),
        modified=("FunctionMetadata", "LastModifiedTime"),
        test_input="EventObject",
        test_result="TestResult",
        test_error="FunctionErrorMessage",
        test_output="FunctionOutput",
        test_logs="FunctionExecutionLogs",
    ),
    Kind.CONNECTION_FUNCTION: FunctionRow(
        list="ListConnectionFunctions",
        get="GetConnectionFunction",
        describe="DescribeConnectionFunction",
        create="CreateConnectionFunction",
        update="UpdateConnectionFunction",
        publish="PublishConnectionFunction",
        test="TestConnectionFunction",
        delete="DeleteConnectionFunction",
        read_key="Identifier",
        write_key="Id",
        code="ConnectionFunctionCode",
        config="ConnectionFunctionConfig",
        summary="ConnectionFunctionSummary",
        items=("ConnectionFunctions",),
        next_marker=("NextMarker",),
        max_items=100,
        arn=("ConnectionFunctionArn",),
        modified=("LastModifiedTime",),
        test_input="ConnectionObject",
        test_result="ConnectionFunctionTestResult",
        test_error="ConnectionFunctionErrorMessage",
        test_output="ConnectionFunctionOutput",
        test_logs="ConnectionFunctionExecutionLogs",
    ),
}

WRITES = frozenset(op for row in ROWS.values() for op in (row.create, row.update, row.publish))
