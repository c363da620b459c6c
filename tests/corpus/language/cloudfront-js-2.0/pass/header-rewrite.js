// Realistic: a viewer-response function that rewrites headers, as an async arrow function.
const handler = async (event) => {
    const response = event.response;
    const headers = response.headers;
    headers['cache-control'] = { value: 'public, max-age=300' };
    headers['x-served-by'] = { value: 'edge' };
    if (headers['set-cookie']) {
        delete headers['set-cookie'];
    }
    return response;
};
